// af_packet.ts — packet sockets (AF_PACKET = 17): Ethernet frames straight from and to a
// device, below IP. A DHCP client needs them: it must send and receive before its interface
// has an address, which IPv4 cannot do. This is a protocol family in a module, the
// "network driver" kind of module: nobody loads it by hand — the first
// socket(AF_PACKET, …) finds no family 17, the kernel asks for "net-pf-17" (socket.ts), and
// modprobe finds this module by its alias, as on Linux. While a packet socket is open the
// module is in use.
//
//   socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))   whole frames, Ethernet header included
//   socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP))  the payload only; on sending, the kernel
//                                                   builds the header from the sockaddr_ll
//
// struct sockaddr_ll (20 bytes): family u16, protocol u16 (network order), ifindex i32, hatype
// u16, pkttype u8, halen u8, addr[8]. bind() picks the protocol and device; recvfrom() fills it
// in with the sender's MAC; sendto() takes the device and the destination MAC from it.
//
// Each socket registers its own PacketType with the core (devAddPack): ETH_P_ALL taps get a
// copy of every frame; a socket of one protocol shares frames of that type with IPv4 (the core
// copies a frame for every handler of its type).

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Packet sockets (AF_PACKET): raw Ethernet frames for DHCP clients and sniffers");
MODULE_ALIAS("net-pf-17");

const AF_PACKET: i32 = 17;
const SOCK_DGRAM: i32 = 2;
const SOCK_RAW: i32 = 3;
const ETH_HLEN: u32 = 14;
const ETH_P_ALL: u16 = 3;

export let packetSockets: i32 = 0;

function ntohs(v: u32): u16 {
  return <u16>((v & 0xff) << 8 | (v >> 8) & 0xff);
}

function ptOf(sock: Socket): PacketType {
  return changetype<PacketType>(sock.priv);
}

/** A frame for this socket (skb.data: the network header; macHeader: the Ethernet header). */
function packetRcv(skb: SkBuff, dev: NetDevice, pt: PacketType): i32 {
  const sock = changetype<Socket>(pt.priv);
  if (sock.ifindex != 0 && (dev == null || dev.ifindex != sock.ifindex)) {
    kfreeSkb(skb);
    return 0;
  }
  const mac = skb.macHeader;
  const cb = changetype<usize>(skb.cb);
  memory_fill(cb, 0, 20);
  store<u16>(cb, <u16>AF_PACKET);
  store<u16>(cb + 2, ntohs(skb.protocol));
  store<i32>(cb + 4, dev != null ? dev.ifindex : 0);
  store<u16>(cb + 8, dev != null ? dev.type : 0);
  store<u8>(cb + 10, skb.pktType);
  store<u8>(cb + 11, 6);
  if (mac != 0) memory_copy(cb + 12, mac + 6, 6);
  if (sock.type == SOCK_RAW && mac != 0 && mac < skb.data) {
    skb.len += <u32>(skb.data - mac);
    skb.data = mac;
  }
  sockQueueRcvSkb(sock, skb);
  return 0;
}

/** (Re)registers the socket's handler for protocol (host order; 0: receive nothing). */
function setProtocol(sock: Socket, protocol: u16): void {
  const pt = ptOf(sock);
  if (pt.type != 0 || pt.next != null) devRemovePack(pt);
  pt.type = protocol;
  if (protocol != 0) devAddPack(pt);
}

function packetRelease(sock: Socket): void {
  const pt = ptOf(sock);
  if (pt == null) return;
  devRemovePack(pt);
  kfree(changetype<usize>(pt));
  sock.priv = 0;
  packetSockets--;
}

function packetBind(sock: Socket, addr: usize, len: u32): i32 {
  if (len < 12 || load<u16>(addr) != <u16>AF_PACKET) return -EINVAL;
  const ifindex = load<i32>(addr, 4);
  if (ifindex != 0 && devGetByIndex(ifindex) == null) return -ENODEV;
  sock.ifindex = ifindex;
  const protocol = load<u16>(addr, 2);
  if (protocol != 0) setProtocol(sock, ntohs(protocol));
  return 0;
}

function packetSendmsg(sock: Socket, buf: usize, len: u32, addr: usize, addrLen: u32): i32 {
  let ifindex = sock.ifindex;
  let protocol = ptOf(sock).type;
  let dest: usize = 0;
  if (addr != 0) {
    if (addrLen < 12 || load<u16>(addr) != <u16>AF_PACKET) return -EINVAL;
    ifindex = load<i32>(addr, 4);
    protocol = ntohs(load<u16>(addr, 2));
    dest = addr + 12;
  }
  const dev = devGetByIndex(ifindex);
  if (dev == null) return -ENXIO;
  if ((dev.flags & 1) == 0) return -ENETDOWN;
  const header: u32 = sock.type == SOCK_DGRAM ? ETH_HLEN : 0;
  if (len + header > dev.mtu + ETH_HLEN) return -EMSGSIZE;
  if (sock.type == SOCK_RAW && len < ETH_HLEN) return -EINVAL;
  if (sock.type == SOCK_DGRAM && dest == 0) return -EINVAL;
  const skb = allocSkb(len + ETH_HLEN + 16);
  if (skb == null) return -ENOMEM;
  skbReserve(skb, 16 + ETH_HLEN - header);
  memory_copy(skbPut(skb, len), buf, len);
  if (header != 0) {
    const eth = skbPush(skb, ETH_HLEN);
    memory_copy(eth, dest, 6);
    memory_copy(eth + 6, changetype<usize>(dev.devAddr), 6);
    store<u8>(eth + 12, <u8>(protocol >> 8));
    store<u8>(eth + 13, <u8>protocol);
  }
  skb.dev = dev;
  skb.protocol = protocol;
  const r = devQueueXmit(skb);
  return r < 0 ? r : <i32>len;
}

function packetGetname(sock: Socket, addr: usize, peer: bool): i32 {
  if (peer) return -EOPNOTSUPP;
  store<u16>(addr, <u16>AF_PACKET);
  store<u16>(addr + 2, ntohs(ptOf(sock).type));
  store<i32>(addr + 4, sock.ifindex);
  const dev = devGetByIndex(sock.ifindex);
  if (dev != null) {
    store<u16>(addr + 8, dev.type);
    store<u8>(addr + 11, 6);
    memory_copy(addr + 12, changetype<usize>(dev.devAddr), 6);
  }
  return 20;
}

const packetOps: ProtoOps = { family: 17, release: packetRelease, bind: packetBind, sendmsg: packetSendmsg, getname: packetGetname };

function packetCreate(sock: Socket, protocol: i32): i32 {
  if (currentProc().euid != 0) return -EPERM;
  if (sock.type != SOCK_RAW && sock.type != SOCK_DGRAM) return -ESOCKTNOSUPPORT;
  const pt = changetype<PacketType>(kzalloc(sizeof<PacketType>()));
  if (pt == null) return -ENOMEM;
  pt.func = packetRcv;
  pt.priv = changetype<usize>(sock);
  sock.priv = changetype<usize>(pt);
  sock.ops = packetOps;
  packetSockets++;
  if (protocol != 0) setProtocol(sock, ntohs(<u32>protocol));
  return 0;
}

const packetFamily: NetProtoFamily = { family: 17, create: packetCreate };

export function init_module(): i32 {
  return sockRegister(packetFamily);
}

export function cleanup_module(): void {
  sockUnregister(AF_PACKET);
}
