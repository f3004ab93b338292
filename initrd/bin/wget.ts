// wget: fetch a file over HTTP, as busybox's wget does it.
//
//   wget [-q] [-O FILE] http://HOST[:PORT]/PATH
//
//   Connecting to 8123.external (192.168.87.1:80)
//   saving to 'big.bin'
//   big.bin              100% |********************************|  1024k  0:00:00 ETA
//   'big.bin' saved
//
// HOST is a dotted quad or a name (DNS to /etc/resolv.conf's nameserver: lib/resolv.ts). The
// request is HTTP/1.1 with "Connection: close"; the body runs to the end of the connection, or
// to Content-Length when the server sends one. The file is named after the last part of the
// path (index.html for "/"); -O - writes to stdout; -q prints nothing but errors. The progress
// line is busybox's (libbb/progress.c): on a terminal it is redrawn in place (\r) at most once a
// second and ended by a newline; otherwise each update is a line of its own. Errors exit 1 with
// busybox's messages: "bad address 'HOST'", "can't connect to remote host (IP): Connection
// refused", "server returned error: HTTP/1.1 404 Not Found".
// Not there: https, FTP, redirects (3xx is reported as an error), chunked encoding, -c, -T.

import { fprintf, flushOutput, snprintf } from "../lib/stdio";
import { close, ioctl, open, read, write, O_CREAT, O_TRUNC, O_WRONLY } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { atoi, strchr, strlen, strrchr, tolower } from "../lib/string";
import { getopt, optarg, optind } from "../lib/getopt";
import { getenv } from "../lib/env";
import { AF_INET, SOCK_STREAM, connect, ipText, monotonicUs, sockaddrIn, socket } from "../lib/socket";
import { resolveHost, resolvedIp } from "../lib/resolv";

const url = new StaticArray<u8>(1024);
const request = new StaticArray<u8>(1400);
const buf = new StaticArray<u8>(16384);
const line = new StaticArray<u8>(1024);
const sa = new StaticArray<u8>(16);
const winsize = new StaticArray<u16>(4);
const bar = new StaticArray<u8>(1024);
const size5 = new StaticArray<u8>(8);

let quiet = false;
let conn: i32 = -1;
let bufStart: i32 = 0;
let bufEnd: i32 = 0;

// progress (libbb/progress.c)
let curfile: usize = 0;
let startSec: u32 = 0;
let lastUpdateSec: u32 = 0;
let lastChangeSec: u32 = 0;
let lastSize: u32 = 0;
let notty = true;

function die(fmt: string, a: usize, b: usize): i32 {
  flushOutput();
  fprintf(2, "wget: ");
  fprintf(2, fmt, a, b);
  fprintf(2, "\n");
  return 1;
}

/** Fills the buffer from the connection; false at its end. */
function fill(): bool {
  if (bufStart < bufEnd) return true;
  const n = read(conn, changetype<usize>(buf), 16384);
  if (n <= 0) return false;
  bufStart = 0;
  bufEnd = n;
  return true;
}

/** One header line without its CR LF into `line`; -1 at the end of the connection. */
function readHeaderLine(): i32 {
  let n = 0;
  for (;;) {
    if (!fill()) return n > 0 ? n : -1;
    const c = load<u8>(changetype<usize>(buf) + <usize>bufStart);
    bufStart++;
    if (c == "\n".charCodeAt(0)) break;
    if (n < 1023) store<u8>(changetype<usize>(line) + <usize>n++, c);
  }
  if (n > 0 && load<u8>(changetype<usize>(line) + <usize>(n - 1)) == "\r".charCodeAt(0)) n--;
  store<u8>(changetype<usize>(line) + <usize>n, 0);
  return n;
}

function monotonicSec(): u32 { return monotonicUs() / 1000000; }

/** busybox's smart_ulltoa5: five characters, "12345", " 1024k" scaled by 1024 with a unit. */
function size5Text(v: u32): usize {
  const b = changetype<usize>(size5);
  const digits = changetype<usize>("0123456789");
  const lead = changetype<usize>(" 123456789");
  const units = changetype<usize>(" kMGTPEZY");
  let idx = 0;
  let ul = v;
  if (ul > 99999) { // scale, keeping one decimal in the last step
    let x = ul / 1024 * 10 + (ul % 1024) * 10 / 1024;
    idx = 1;
    while (x >= 100000) {
      x /= 1024;
      idx++;
    }
    ul = x;
  }
  let u = ul / 10;
  let d = ul % 10;
  let fmt = lead;
  if (idx == 0) {
    let c = load<u8>(lead + u / 1000); store<u8>(b, c); if (c != " ".charCodeAt(0)) fmt = digits;
    c = load<u8>(fmt + u / 100 % 10); store<u8>(b + 1, c); if (c != " ".charCodeAt(0)) fmt = digits;
    c = load<u8>(fmt + u / 10 % 10); store<u8>(b + 2, c); if (c != " ".charCodeAt(0)) fmt = digits;
    store<u8>(b + 3, load<u8>(fmt + u % 10));
    store<u8>(b + 4, load<u8>(digits + d));
  } else {
    if (u >= 100) {
      let c = load<u8>(lead + u / 1000); store<u8>(b, c); if (c != " ".charCodeAt(0)) fmt = digits;
      c = load<u8>(fmt + u / 100 % 10); store<u8>(b + 1, c); if (c != " ".charCodeAt(0)) fmt = digits;
      d = u % 10;
      u = u / 10;
      store<u8>(b + 2, load<u8>(fmt + u % 10));
    } else {
      const c = load<u8>(lead + u / 10); store<u8>(b, c); if (c != " ".charCodeAt(0)) fmt = digits;
      store<u8>(b + 1, load<u8>(fmt + u % 10));
      store<u8>(b + 2, ".".charCodeAt(0));
    }
    store<u8>(b + 3, load<u8>(digits + d));
    store<u8>(b + 4, load<u8>(units + idx));
  }
  store<u8>(b + 5, 0);
  return b;
}

function terminalWidth(): u32 {
  let width: u32 = 0;
  if (ioctl(2, 0x5413, changetype<usize>(winsize)) == 0 && winsize[0] != 0) width = winsize[1]; // TIOCGWINSZ
  const env = getenv(changetype<usize>("COLUMNS"));
  if (env != 0) width = <u32>atoi(env);
  return width <= 1 || width >= 30000 ? 80 : width;
}

/** bb_progress_update: totalSize 0 when unknown; `last` draws the final line whatever the time. */
function progress(transferred: u32, totalSize: u32, last: bool): void {
  if (quiet) return;
  const elapsedNow = monotonicSec();
  const sinceUpdate = elapsedNow - lastUpdateSec;
  lastUpdateSec = elapsedNow;
  if (!(totalSize != 0 && transferred >= totalSize) && sinceUpdate == 0 && !last) return;
  flushOutput();
  fprintf(2, notty ? "%-20.20s " : "\r%-20.20s ", curfile);
  if (totalSize != 0) {
    let t = transferred;
    let total = totalSize;
    while (total >= (1 << 20)) { // as busybox scales, to stay in 32 bits
      total >>= 8;
      t >>= 8;
    }
    const ratio = 100 * t / total;
    fprintf(2, "%3u%% ", ratio);
    const barLength = <i32>terminalWidth() - 48;
    if (barLength > 2) {
      const len = barLength > 999 ? 999 : barLength;
      const stars = <u32>len * t / total;
      for (let i = 0; i < len; i++) store<u8>(changetype<usize>(bar) + <usize>i, <u32>i < stars ? "*".charCodeAt(0) : " ".charCodeAt(0));
      store<u8>(changetype<usize>(bar) + <usize>len, 0);
      fprintf(2, "|%s| ", bar);
    }
  }
  fprintf(2, "%s", size5Text(transferred));
  let stalled = elapsedNow - lastChangeSec;
  if (transferred != lastSize) {
    lastChangeSec = elapsedNow;
    lastSize = transferred;
    if (stalled >= 5) startSec += stalled;
    stalled = 0;
  }
  const elapsed = elapsedNow - startSec;
  if (stalled >= 5) fprintf(2, "  - stalled -");
  else if (totalSize == 0 || transferred == 0) fprintf(2, " --:--:-- ETA");
  else {
    let eta = <u32>((<u32>totalSize / 1024) * elapsed / (transferred / 1024 + 1)) - elapsed;
    if (<i32>eta < 0) eta = 0;
    const secs = eta % 3600;
    fprintf(2, "%3u:%02u:%02u ETA", eta / 3600, secs / 60, secs % 60);
  }
  if (notty) fprintf(2, "\n");
}

function writeAll(fd: i32, p: usize, n: i32): bool {
  while (n > 0) {
    const w = write(fd, p, <usize>n);
    if (w <= 0) return false;
    p += <usize>w;
    n -= w;
  }
  return true;
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let outName: usize = 0;
  for (;;) {
    const c = getopt(argc, argv, "qO:");
    if (c < 0) break;
    if (c == "q".charCodeAt(0)) quiet = true;
    else if (c == "O".charCodeAt(0)) outName = optarg;
    else return 1;
  }
  if (optind >= argc) {
    fprintf(2, "Usage: wget [-q] [-O FILE] URL\n");
    return 1;
  }
  const given = load<usize>(argv + 4 * optind);
  // http://HOST[:PORT]/PATH
  const prefix = changetype<usize>("http://");
  let i: usize = 0;
  while (i < 7 && tolower(load<u8>(given + i)) == <i32>load<u8>(prefix + i)) i++;
  if (i < 7) return die("not an http or ftp url: %s", given, 0);
  const u = changetype<usize>(url);
  const ulen = strlen(given + 7);
  if (ulen > 1000) return die("not an http or ftp url: %s", given, 0);
  memory_copy(u, given + 7, <usize>ulen + 1);
  let path = strchr(u, "/".charCodeAt(0));
  let pathText = changetype<usize>("");
  if (path != 0) {
    store<u8>(path, 0);
    pathText = path + 1;
  }
  const hostport = u; // as busybox shows it: with ":PORT" when the URL had one
  let port: u32 = 80;
  const hostEnd = changetype<usize>(bar); // the host name without the port
  let n: i32 = 0;
  while (load<u8>(hostport + <usize>n) != 0 && load<u8>(hostport + <usize>n) != ":".charCodeAt(0) && n < 255) {
    store<u8>(hostEnd + <usize>n, load<u8>(hostport + <usize>n));
    n++;
  }
  store<u8>(hostEnd + <usize>n, 0);
  const colon = strchr(hostport, ":".charCodeAt(0));
  if (colon != 0) port = <u32>atoi(colon + 1);
  if (n == 0 || port == 0 || port > 65535) return die("bad address '%s'", hostport, 0);
  const hostName = changetype<usize>(line);
  memory_copy(hostName, hostEnd, <usize>n + 1);
  if (!resolveHost(hostName)) return die("bad address '%s'", hostName, 0);
  const ip = resolvedIp;
  // the output's name
  if (outName == 0) {
    const slash = strrchr(pathText, "/".charCodeAt(0));
    outName = slash != 0 ? slash + 1 : pathText;
    if (load<u8>(outName) == 0) outName = changetype<usize>("index.html");
  }
  const toStdout = load<u8>(outName) == "-".charCodeAt(0) && load<u8>(outName + 1) == 0;
  const slash = strrchr(outName, "/".charCodeAt(0));
  curfile = slash != 0 ? slash + 1 : outName;
  if (!quiet) fprintf(2, "Connecting to %s (%s:%u)\n", hostport, ipText(ip), port);
  conn = socket(AF_INET, SOCK_STREAM, 0);
  if (conn < 0) return die("socket: %s", errorText(), 0);
  sockaddrIn(changetype<usize>(sa), ip, port);
  if (connect(conn, changetype<usize>(sa), 16) < 0) return die("can't connect to remote host (%s): %s", ipText(ip), errorText());
  const reqLen = snprintf(changetype<usize>(request), 1400, "GET /%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n",
    pathText, hostport);
  if (!writeAll(conn, changetype<usize>(request), reqLen)) return die("error sending request: %s", errorText(), 0);
  // The status line: "HTTP/1.1 200 OK"
  if (readHeaderLine() < 0) return die("error getting response", 0, 0);
  const status = changetype<usize>(line);
  const sp = strchr(status, " ".charCodeAt(0));
  const code = sp != 0 ? atoi(sp + 1) : 0;
  if (code < 200 || code > 299) return die("server returned error: %s", status, 0);
  // The headers: only Content-Length matters here.
  let contentLength: i32 = -1;
  for (;;) {
    const len = readHeaderLine();
    if (len < 0) return die("error getting response", 0, 0);
    if (len == 0) break;
    if (headerIs(changetype<usize>(line), "content-length:")) contentLength = atoi(changetype<usize>(line) + 15 + skipSpaces(changetype<usize>(line) + 15));
  }
  let out = 1;
  if (!toStdout) {
    out = open(outName, O_WRONLY | O_CREAT | O_TRUNC, 0o666);
    if (out < 0) return die("can't open '%s': %s", outName, errorText());
  }
  if (!quiet) fprintf(2, toStdout ? "writing to stdout\n" : "saving to '%s'\n", outName);
  notty = ioctl(2, 0x5413, changetype<usize>(winsize)) < 0; // isatty(2)
  startSec = monotonicSec();
  lastUpdateSec = startSec;
  lastChangeSec = startSec;
  let transferred: u32 = 0;
  progress(0, contentLength > 0 ? <u32>contentLength : 0, false);
  for (;;) {
    if (contentLength >= 0 && transferred >= <u32>contentLength) break;
    if (!fill()) break;
    let chunk = bufEnd - bufStart;
    if (contentLength >= 0 && <u32>chunk > <u32>contentLength - transferred) chunk = <i32>(<u32>contentLength - transferred);
    if (toStdout) flushOutput();
    if (!writeAll(out, changetype<usize>(buf) + <usize>bufStart, chunk)) return die("write error: %s", errorText(), 0);
    bufStart += chunk;
    transferred += <u32>chunk;
    progress(transferred, contentLength > 0 ? <u32>contentLength : 0, false);
  }
  if (contentLength >= 0 && transferred < <u32>contentLength) return die("connection closed prematurely", 0, 0);
  // The last line shows 100% (the size is known now), then a newline on a terminal.
  progress(transferred, transferred, true);
  if (!quiet && !notty) fprintf(2, "\n");
  close(conn);
  if (!toStdout) close(out);
  if (!quiet) {
    if (toStdout) fprintf(2, "written to stdout\n");
    else fprintf(2, "'%s' saved\n", outName);
  }
  return 0;
}

function skipSpaces(p: usize): i32 {
  let n = 0;
  while (load<u8>(p + <usize>n) == " ".charCodeAt(0)) n++;
  return n;
}

/** True if the header line starts with name (lowercase, with its colon), in any case. */
function headerIs(p: usize, name: string): bool {
  const w = changetype<usize>(name);
  for (let i: usize = 0; load<u8>(w + i) != 0; i++) if (tolower(load<u8>(p + i)) != <i32>load<u8>(w + i)) return false;
  return true;
}
