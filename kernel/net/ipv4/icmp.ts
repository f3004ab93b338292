// icmp.ts — ICMP (RFC 792): echo (ping), and "destination unreachable".
//
// In: a message shorter than its 8-byte header or with a wrong checksum is counted (InErrors,
// InCsumErrors) and dropped. An echo request to us is answered with an echo reply carrying the
// same id, sequence and data, from the address it was sent to (a request sent to a broadcast
// address is ignored, as Linux's icmp_echo_ignore_broadcasts = 1 does). Echo replies go to the
// raw ICMP sockets that ping uses (ip.ts gave them their copy before). A "port unreachable"
// about a datagram a connected UDP socket sent becomes that socket's ECONNREFUSED.
//
// Out: icmpSend(skb, type, code) answers the packet in skb (its IP header at skb.networkHeader)
// with an error carrying the offending IP header and the first 8 bytes after it (RFC 792).
// Never about an ICMP error, a broadcast, or a fragment other than the first (RFC 1122 3.2.2).

import { SeqBuf, seqPrintf, seqPuts } from "../../fs/seq";
import { SkBuff, allocSkb, kfreeSkb, skbPut, skbReserve } from "../skbuff";
import { csumFold, csumPartial, loadBe16, storeBe16 } from "./checksum";
import { IPPROTO_ICMP, IP_HLEN, MAX_HEADER, ipSend } from "./ip";
import { udpError } from "./udp";

export const ICMP_ECHOREPLY: u8 = 0;
export const ICMP_DEST_UNREACH: u8 = 3;
export const ICMP_ECHO: u8 = 8;
export const ICMP_NET_UNREACH: u8 = 0;
export const ICMP_PROT_UNREACH: u8 = 2;
export const ICMP_PORT_UNREACH: u8 = 3;

export let icmpInMsgs: u32 = 0;
export let icmpInErrors: u32 = 0;
export let icmpInCsumErrors: u32 = 0;
export let icmpInDestUnreachs: u32 = 0;
export let icmpInEchos: u32 = 0;
export let icmpInEchoReps: u32 = 0;
export let icmpOutMsgs: u32 = 0;
export let icmpOutDestUnreachs: u32 = 0;
export let icmpOutEchos: u32 = 0;
export let icmpOutEchoReps: u32 = 0;

/** Counts an ICMP message a raw socket sends (ping's echo requests). */
export function icmpCountOut(type: u8): void {
  icmpOutMsgs++;
  if (type == ICMP_ECHO) icmpOutEchos++;
}

/** skb.data = the ICMP message (IP header before it). Consumes skb. */
export function icmpRcv(skb: SkBuff, saddr: u32, daddr: u32, broadcast: bool): void {
  icmpInMsgs++;
  const icmp = skb.data;
  if (skb.len < 8) {
    icmpInErrors++;
    kfreeSkb(skb);
    return;
  }
  if (csumFold(csumPartial(icmp, skb.len, 0)) != 0) {
    icmpInErrors++;
    icmpInCsumErrors++;
    kfreeSkb(skb);
    return;
  }
  const type = load<u8>(icmp);
  if (type == ICMP_ECHO) {
    icmpInEchos++;
    if (!broadcast) echoReply(skb, saddr, daddr);
  } else if (type == ICMP_ECHOREPLY) {
    icmpInEchoReps++;
  } else if (type == ICMP_DEST_UNREACH) {
    icmpInDestUnreachs++;
    // The offending datagram: its IP header, then 8 bytes (the UDP ports).
    if (skb.len >= 8 + IP_HLEN + 8) {
      const inner = icmp + 8;
      const ihl = <u32>(load<u8>(inner) & 0xf) * 4;
      if (ihl >= IP_HLEN && skb.len >= 8 + ihl + 8 && load<u8>(inner + 9) == 17 && load<u8>(icmp + 1) == ICMP_PORT_UNREACH) {
        udpError(load<u32>(inner + 12), loadBe16(inner + ihl), load<u32>(inner + 16), loadBe16(inner + ihl + 2));
      }
    }
  }
  kfreeSkb(skb);
}

function echoReply(request: SkBuff, saddr: u32, daddr: u32): void {
  const reply = allocSkb(MAX_HEADER + request.len);
  if (reply == null) return;
  skbReserve(reply, MAX_HEADER);
  const icmp = skbPut(reply, request.len);
  memory_copy(icmp, request.data, request.len);
  store<u8>(icmp, ICMP_ECHOREPLY);
  store<u8>(icmp + 1, 0);
  storeBe16(icmp + 2, 0);
  storeBe16(icmp + 2, csumFold(csumPartial(icmp, reply.len, 0)));
  icmpOutMsgs++;
  icmpOutEchoReps++;
  ipSend(reply, daddr, saddr, IPPROTO_ICMP, 0);
}

/** Sends an ICMP error about the packet in skb (skb.networkHeader: its IP header). */
export function icmpSend(skb: SkBuff, type: u8, code: u8): void {
  const ip = skb.networkHeader;
  if (ip == 0) return;
  const ihl = <u32>(load<u8>(ip) & 0xf) * 4;
  if ((loadBe16(ip + 6) & 0x1fff) != 0) return; // not the first fragment
  if (load<u8>(ip + 9) == IPPROTO_ICMP) {
    const inner = ip + ihl;
    const t = load<u8>(inner);
    if (t != ICMP_ECHO && t != ICMP_ECHOREPLY) return; // never an error about an error
  }
  let quoted = <u32>(skb.data + skb.len - ip);
  if (quoted > ihl + 8) quoted = ihl + 8;
  const out = allocSkb(MAX_HEADER + 8 + quoted);
  if (out == null) return;
  skbReserve(out, MAX_HEADER);
  const icmp = skbPut(out, 8 + quoted);
  store<u8>(icmp, type);
  store<u8>(icmp + 1, code);
  storeBe16(icmp + 2, 0);
  store<u32>(icmp + 4, 0);
  memory_copy(icmp + 8, ip, quoted);
  storeBe16(icmp + 2, csumFold(csumPartial(icmp, out.len, 0)));
  icmpOutMsgs++;
  if (type == ICMP_DEST_UNREACH) icmpOutDestUnreachs++;
  ipSend(out, load<u32>(ip + 16), load<u32>(ip + 12), IPPROTO_ICMP, 0);
}

export function showSnmpIcmp(m: SeqBuf): void {
  seqPuts(m, "Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InEchos InEchoReps OutMsgs OutErrors OutDestUnreachs OutEchos OutEchoReps\n");
  seqPrintf(m, "Icmp: %u %u %u %u %u %u %u 0 %u %u %u\n", icmpInMsgs, icmpInErrors, icmpInCsumErrors, icmpInDestUnreachs, icmpInEchos, icmpInEchoReps,
    icmpOutMsgs, icmpOutDestUnreachs, icmpOutEchos, icmpOutEchoReps);
}
