// nc: netcat — send what comes on standard input, print what comes from the network.
//
//   nc [-w SECONDS] HOST PORT             TCP: connect, copy stdin to the connection and the
//                                         connection to stdout
//   nc -l -p PORT [-w SECONDS]            TCP: wait for one connection on PORT, then the same
//   nc -u [-w SECONDS] HOST PORT          UDP: send stdin's lines to HOST:PORT, print the answers
//   nc -u -l -p PORT [-w SECONDS]         UDP: wait for datagrams on PORT, print them; what is
//                                         typed goes back to whoever sent the last one
//
// As busybox's nc: at the end of stdin a TCP nc shuts its sending side (the peer reads end of
// file) and goes on printing until the peer closes. -w: quit after that many seconds without
// traffic (UDP: after stdin's end for a sender, wait that long for answers, default 1 s).
// HOST is a dotted quad or a name (DNS, lib/resolv.ts). Standard input and the socket are
// watched together with poll(2).

import { printf, fprintf, flushOutput, writeBytes } from "../lib/stdio";
import { close, read, write } from "../lib/unistd";
import { resolveHost, resolvedIp } from "../lib/resolv";
import { errno, errorText, EAGAIN, EINTR } from "../lib/errno";
import { atoi } from "../lib/string";
import { getopt, optarg, optind } from "../lib/getopt";
import {
  AF_INET, SHUT_WR, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, POLLIN, accept, bind, connect, ipText, listen, parseIp, parsedIp, poll,
  recvfrom, sendto, setsockopt, shutdown, sockaddrIn, socket,
} from "../lib/socket";

const buf = new StaticArray<u8>(16384);
const one = new StaticArray<u32>(1);
/** At most one Ethernet frame's worth per datagram: Lokum's IPv4 does not fragment. */
const MAX_DATAGRAM: usize = 1472;
const peer = new StaticArray<u8>(16);
const local = new StaticArray<u8>(16);
const peerLen = new StaticArray<u32>(1);
const fds = new StaticArray<u32>(4); // two struct pollfd

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let udp = false;
  let listen = false;
  let port = 0;
  let waitSec = -1;
  for (;;) {
    const c = getopt(argc, argv, "ulp:w:");
    if (c < 0) break;
    if (c == "u".charCodeAt(0)) udp = true;
    else if (c == "l".charCodeAt(0)) listen = true;
    else if (c == "p".charCodeAt(0)) port = atoi(optarg);
    else if (c == "w".charCodeAt(0)) waitSec = atoi(optarg);
    else return 1;
  }
  if (!udp) return tcp(argc, argv, listen, port, waitSec);
  const sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0) {
    fprintf(2, "nc: socket: %s\n", errorText());
    return 1;
  }
  let havePeer = false;
  if (listen) {
    if (port == 0 && optind < argc) port = atoi(load<usize>(argv + 4 * (argc - 1)));
    sockaddrIn(changetype<usize>(local), 0, <u32>port);
    if (bind(sock, changetype<usize>(local), 16) < 0) {
      fprintf(2, "nc: bind: %s\n", errorText());
      return 1;
    }
  } else {
    if (optind + 2 > argc) {
      fprintf(2, "Usage: nc -u [-w SEC] HOST PORT | nc -u -l -p PORT\n");
      return 1;
    }
    const host = load<usize>(argv + 4 * optind);
    if (!parseIp(host)) {
      fprintf(2, "nc: bad address '%s'\n", host);
      return 1;
    }
    sockaddrIn(changetype<usize>(peer), parsedIp, <u32>atoi(load<usize>(argv + 4 * (optind + 1))));
    if (connect(sock, changetype<usize>(peer), 16) < 0) {
      fprintf(2, "nc: connect: %s\n", errorText());
      return 1;
    }
    havePeer = true;
    if (waitSec < 0) waitSec = 1;
  }
  let stdinOpen = true;
  for (;;) {
    fds[0] = 0; // fd 0
    fds[1] = POLLIN; // events (revents in the high half)
    fds[2] = <u32>sock;
    fds[3] = POLLIN;
    const timeout = !stdinOpen || waitSec > 0 ? (waitSec > 0 ? waitSec * 1000 : -1) : -1;
    const n = poll(stdinOpen ? changetype<usize>(fds) : changetype<usize>(fds) + 8, stdinOpen ? 2 : 1, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(2, "nc: poll: %s\n", errorText());
      return 1;
    }
    if (n == 0) return 0; // -w: quiet for that long
    if (stdinOpen && (fds[1] >> 16) != 0) {
      const got = read(0, changetype<usize>(buf), MAX_DATAGRAM);
      if (got <= 0) {
        stdinOpen = false;
        if (waitSec <= 0 && !listen) return 0;
      } else if (havePeer) {
        if (sendto(sock, changetype<usize>(buf), <u32>got, 0, listen ? changetype<usize>(peer) : 0, listen ? 16 : 0) < 0) {
          fprintf(2, "nc: sendto: %s\n", errorText());
          return 1;
        }
      }
    }
    if ((fds[3] >> 16) != 0) {
      peerLen[0] = 16;
      const got = recvfrom(sock, changetype<usize>(buf), 2048, 0, listen ? changetype<usize>(peer) : 0, listen ? changetype<usize>(peerLen) : 0);
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        fprintf(2, "nc: recvfrom: %s\n", errorText());
        return 1;
      }
      if (listen) havePeer = true;
      writeBytes(1, changetype<usize>(buf), got);
      flushOutput();
    }
  }
}

/** Writes all n bytes (a socket may take them in parts). */
function writeAll(fd: i32, p: usize, n: i32): bool {
  while (n > 0) {
    const w = write(fd, p, <usize>n);
    if (w <= 0) return false;
    p += <usize>w;
    n -= w;
  }
  return true;
}

/** TCP: one connection, made or accepted, then copy both ways until the peer closes. */
function tcp(argc: i32, argv: usize, listening: bool, port: i32, waitSec: i32): i32 {
  const sock = socket(AF_INET, SOCK_STREAM, 0);
  if (sock < 0) {
    fprintf(2, "nc: socket: %s\n", errorText());
    return 1;
  }
  let conn = sock;
  if (listening) {
    if (port == 0 && optind < argc) port = atoi(load<usize>(argv + 4 * (argc - 1)));
    one[0] = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, changetype<usize>(one), 4);
    sockaddrIn(changetype<usize>(local), 0, <u32>port);
    if (bind(sock, changetype<usize>(local), 16) < 0) {
      fprintf(2, "nc: bind: %s\n", errorText());
      return 1;
    }
    if (listen(sock, 1) < 0) {
      fprintf(2, "nc: listen: %s\n", errorText());
      return 1;
    }
    conn = accept(sock, 0, 0);
    if (conn < 0) {
      fprintf(2, "nc: accept: %s\n", errorText());
      return 1;
    }
    close(sock);
  } else {
    if (optind + 2 > argc) {
      fprintf(2, "Usage: nc [-w SEC] HOST PORT | nc -l -p PORT | nc -u …\n");
      return 1;
    }
    const host = load<usize>(argv + 4 * optind);
    if (!resolveHost(host)) {
      fprintf(2, "nc: bad address '%s'\n", host);
      return 1;
    }
    sockaddrIn(changetype<usize>(peer), resolvedIp, <u32>atoi(load<usize>(argv + 4 * (optind + 1))));
    if (connect(sock, changetype<usize>(peer), 16) < 0) {
      fprintf(2, "nc: can't connect to remote host (%s): %s\n", ipText(resolvedIp), errorText());
      return 1;
    }
  }
  let stdinOpen = true;
  for (;;) {
    fds[0] = 0;
    fds[1] = POLLIN;
    fds[2] = <u32>conn;
    fds[3] = POLLIN;
    const n = poll(stdinOpen ? changetype<usize>(fds) : changetype<usize>(fds) + 8, stdinOpen ? 2 : 1, waitSec > 0 ? waitSec * 1000 : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(2, "nc: poll: %s\n", errorText());
      return 1;
    }
    if (n == 0) return 0; // -w: quiet for that long
    if (stdinOpen && (fds[1] >> 16) != 0) {
      const got = read(0, changetype<usize>(buf), 16384);
      if (got <= 0) {
        stdinOpen = false;
        shutdown(conn, SHUT_WR); // the peer reads end of file; its answer may still come
      } else if (!writeAll(conn, changetype<usize>(buf), got)) {
        fprintf(2, "nc: write: %s\n", errorText());
        return 1;
      }
    }
    if ((fds[3] >> 16) != 0) {
      const got = read(conn, changetype<usize>(buf), 16384);
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        fprintf(2, "nc: read: %s\n", errorText());
        return 1;
      }
      if (got == 0) return 0; // the peer closed
      flushOutput();
      if (!writeAll(1, changetype<usize>(buf), got)) return 1;
    }
  }
}
