// errno: how a failed system call is reported to C-style code, and its text.
//
// The kernel returns -errno in eax (a value in -4095..-1). The wrappers in unistd.ts pass the
// result through syscallResult(), which stores the errno here and returns -1, as C's libc does.
// strerror() gives glibc's exact texts (busybox prints them, so Lokum's tools print the same
// "cat: can't open 'x': No such file or directory").

export let errno: i32 = 0;

export const EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8;
export const EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16;
export const EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22;
export const EMFILE = 24, ENOTTY = 25, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EPIPE = 32, ERANGE = 34;
export const ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40;
export const ENOTBLK = 15, ETXTBSY = 26, EFBIG = 27, EMLINK = 31, EBADMSG = 74, EOVERFLOW = 75, EUCLEAN = 117;
export const ENOTSOCK = 88, EDESTADDRREQ = 89, EMSGSIZE = 90, EPROTONOSUPPORT = 93, EOPNOTSUPP = 95;
export const EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101;
export const ENOBUFS = 105, EISCONN = 106, ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111;
export const EHOSTUNREACH = 113;

/** Turns a raw kernel result into C's convention: -errno → errno set, -1 returned. */
export function syscallResult(r: i32): i32 {
  if (r < 0 && r > -4096) {
    errno = -r;
    return -1;
  }
  return r;
}

export function setErrno(e: i32): void {
  errno = e;
}

// glibc's texts for errno 0..40, by number (35 is EDEADLK, 37 ENOLCK).
const texts: StaticArray<string> = [
  "Success",
  "Operation not permitted",
  "No such file or directory",
  "No such process",
  "Interrupted system call",
  "Input/output error",
  "No such device or address",
  "Argument list too long",
  "Exec format error",
  "Bad file descriptor",
  "No child processes",
  "Resource temporarily unavailable",
  "Cannot allocate memory",
  "Permission denied",
  "Bad address",
  "Block device required",
  "Device or resource busy",
  "File exists",
  "Invalid cross-device link",
  "No such device",
  "Not a directory",
  "Is a directory",
  "Invalid argument",
  "Too many open files in system",
  "Too many open files",
  "Inappropriate ioctl for device",
  "Text file busy",
  "File too large",
  "No space left on device",
  "Illegal seek",
  "Read-only file system",
  "Too many links",
  "Broken pipe",
  "Numerical argument out of domain",
  "Numerical result out of range",
  "Resource deadlock avoided",
  "File name too long",
  "No locks available",
  "Function not implemented",
  "Directory not empty",
  "Too many levels of symbolic links",
];

let unknownText = new StaticArray<u8>(32);

/** The text for an errno value, e.g. strerror(2) = "No such file or directory". */
export function strerror(e: i32): string {
  if (e >= 0 && e < texts.length) return texts[e];
  switch (e) {
    case 42: return "No message of desired type";
    case 43: return "Identifier removed";
    case 61: return "No data available";
    case 62: return "Timer expired";
    case 71: return "Protocol error";
    case 74: return "Bad message";
    case 75: return "Value too large for defined data type";
    case 88: return "Socket operation on non-socket";
    case 89: return "Destination address required";
    case 90: return "Message too long";
    case 91: return "Protocol wrong type for socket";
    case 92: return "Protocol not available";
    case 93: return "Protocol not supported";
    case 94: return "Socket type not supported";
    case 95: return "Operation not supported";
    case 96: return "Protocol family not supported";
    case 97: return "Address family not supported by protocol";
    case 98: return "Address already in use";
    case 99: return "Cannot assign requested address";
    case 100: return "Network is down";
    case 101: return "Network is unreachable";
    case 102: return "Network dropped connection on reset";
    case 103: return "Software caused connection abort";
    case 104: return "Connection reset by peer";
    case 105: return "No buffer space available";
    case 106: return "Transport endpoint is already connected";
    case 107: return "Transport endpoint is not connected";
    case 110: return "Connection timed out";
    case 111: return "Connection refused";
    case 112: return "Host is down";
    case 113: return "No route to host";
    case 114: return "Operation already in progress";
    case 115: return "Operation now in progress";
    case 117: return "Structure needs cleaning";
    case 123: return "No medium found";
    case 124: return "Wrong medium type";
    case 121: return "Remote I/O error";
    case 122: return "Disk quota exceeded";
    case 125: return "Operation canceled";
    case 126: return "Required key not available";
    case 129: return "Key was rejected by service";
  }
  // "Unknown error N", built by hand (stdio depends on us, not the other way round).
  const prefix = "Unknown error ";
  const buf = changetype<usize>(unknownText);
  let n = 0;
  while (load<u8>(changetype<usize>(prefix) + n) != 0) {
    store<u8>(buf + n, load<u8>(changetype<usize>(prefix) + n));
    n++;
  }
  let v = u32(e < 0 ? -e : e);
  if (e < 0) store<u8>(buf + n++, "-".charCodeAt(0));
  let digits = 1;
  for (let t = v; t >= 10; t = t / 10) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(buf + n + i, u8("0".charCodeAt(0) + v % 10));
    v = v / 10;
  }
  store<u8>(buf + n + digits, 0);
  return changetype<string>(buf);
}

/** strerror(errno) as an address, ready for printf's %s. */
export function errorText(): usize {
  return changetype<usize>(strerror(errno));
}
