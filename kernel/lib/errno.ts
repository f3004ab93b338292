// errno.ts — Linux's error numbers (include/uapi/asm-generic/errno-base.h, errno.h), and the
// error-pointer convention of include/linux/err.h.
//
// A kernel function that can fail returns -errno (a value in -4095..-1); system calls hand that
// value straight back to user space in eax. A function that returns a pointer returns either a
// real pointer or an *error pointer*: the address -errno, which lies in the last page of the
// address space where nothing is ever mapped. `errPtr(-ENOENT)` makes one, `isErr(p)` tells them
// apart, `ptrErr(p)` gets the -errno back.

export const EPERM: i32 = 1;
export const ENOENT: i32 = 2;
export const ESRCH: i32 = 3;
export const EINTR: i32 = 4;
export const EIO: i32 = 5;
export const ENXIO: i32 = 6;
export const E2BIG: i32 = 7;
export const ENOEXEC: i32 = 8;
export const EBADF: i32 = 9;
export const ECHILD: i32 = 10;
export const EAGAIN: i32 = 11;
export const ENOMEM: i32 = 12;
export const EACCES: i32 = 13;
export const EFAULT: i32 = 14;
export const ENOTBLK: i32 = 15;
export const EBUSY: i32 = 16;
export const EEXIST: i32 = 17;
export const EXDEV: i32 = 18;
export const ENODEV: i32 = 19;
export const ENOTDIR: i32 = 20;
export const EISDIR: i32 = 21;
export const EINVAL: i32 = 22;
export const ENFILE: i32 = 23;
export const EMFILE: i32 = 24;
export const ENOTTY: i32 = 25;
export const ETXTBSY: i32 = 26;
export const EFBIG: i32 = 27;
export const ENOSPC: i32 = 28;
export const ESPIPE: i32 = 29;
export const EROFS: i32 = 30;
export const EMLINK: i32 = 31;
export const EPIPE: i32 = 32;
export const EDOM: i32 = 33;
export const ERANGE: i32 = 34;
export const EDEADLK: i32 = 35;
export const ENAMETOOLONG: i32 = 36;
export const ENOLCK: i32 = 37;
export const ENOSYS: i32 = 38;
export const ENOTEMPTY: i32 = 39;
export const ELOOP: i32 = 40;
export const ENOMSG: i32 = 42;
export const EIDRM: i32 = 43;
export const ENODATA: i32 = 61;
export const ETIME: i32 = 62; //    "Timer expired" (request_module's helper ran too long)
export const EOVERFLOW: i32 = 75;
export const ENOTSOCK: i32 = 88;
export const EDESTADDRREQ: i32 = 89;
export const EMSGSIZE: i32 = 90;
export const EPROTOTYPE: i32 = 91;
export const ENOPROTOOPT: i32 = 92;
export const EPROTONOSUPPORT: i32 = 93;
export const ESOCKTNOSUPPORT: i32 = 94;
export const EOPNOTSUPP: i32 = 95;
export const EPFNOSUPPORT: i32 = 96;
export const EAFNOSUPPORT: i32 = 97;
export const EADDRINUSE: i32 = 98;
export const EADDRNOTAVAIL: i32 = 99;
export const ENETDOWN: i32 = 100;
export const ENETUNREACH: i32 = 101;
export const ECONNABORTED: i32 = 103;
export const ECONNRESET: i32 = 104;
export const ENOBUFS: i32 = 105;
export const EISCONN: i32 = 106;
export const ENOTCONN: i32 = 107;
export const ETIMEDOUT: i32 = 110;
export const ECONNREFUSED: i32 = 111;
export const EHOSTUNREACH: i32 = 113;
export const EALREADY: i32 = 114;
export const EINPROGRESS: i32 = 115;
export const EUCLEAN: i32 = 117; //  "Structure needs cleaning": corrupt filesystem metadata
export const ENOMEDIUM: i32 = 123;

// Kernel-internal: never reaches user space (Linux's include/linux/errno.h).
export const ENOIOCTLCMD: i32 = 515; // an ioctl handler does not know cmd: try the next one

/** The largest errno an error pointer or a syscall result can carry (Linux's MAX_ERRNO). */
export const MAX_ERRNO: i32 = 4095;

/** An error pointer for `err` (a negative errno). */
export function errPtr(err: i32): usize {
  return <usize>err;
}

/** True if `p` is an error pointer (the last 4095 addresses). */
export function isErr(p: usize): bool {
  return p >= <usize>(0 - MAX_ERRNO);
}

/** The -errno an error pointer carries. */
export function ptrErr(p: usize): i32 {
  return <i32>p;
}

// Exported to modules (the module loader's kernel_symbols; dist/include/lokum-kernel.d.ts). The
// errno values travel as values, like the #defines of Linux's <linux/errno.h>: a module writes
// `return -EINVAL;` without declaring EINVAL itself.
EXPORT_SYMBOL(errPtr);
EXPORT_SYMBOL(isErr);
EXPORT_SYMBOL(ptrErr);
EXPORT_SYMBOL(EPERM);
EXPORT_SYMBOL(ENOENT);
EXPORT_SYMBOL(ESRCH);
EXPORT_SYMBOL(EINTR);
EXPORT_SYMBOL(EIO);
EXPORT_SYMBOL(ENXIO);
EXPORT_SYMBOL(E2BIG);
EXPORT_SYMBOL(ENOEXEC);
EXPORT_SYMBOL(EBADF);
EXPORT_SYMBOL(ECHILD);
EXPORT_SYMBOL(EAGAIN);
EXPORT_SYMBOL(ENOMEM);
EXPORT_SYMBOL(EACCES);
EXPORT_SYMBOL(EFAULT);
EXPORT_SYMBOL(ENOTBLK);
EXPORT_SYMBOL(EBUSY);
EXPORT_SYMBOL(EEXIST);
EXPORT_SYMBOL(EXDEV);
EXPORT_SYMBOL(ENODEV);
EXPORT_SYMBOL(ENOTDIR);
EXPORT_SYMBOL(EISDIR);
EXPORT_SYMBOL(EINVAL);
EXPORT_SYMBOL(ENFILE);
EXPORT_SYMBOL(EMFILE);
EXPORT_SYMBOL(ENOTTY);
EXPORT_SYMBOL(ETXTBSY);
EXPORT_SYMBOL(EFBIG);
EXPORT_SYMBOL(ENOSPC);
EXPORT_SYMBOL(ESPIPE);
EXPORT_SYMBOL(EROFS);
EXPORT_SYMBOL(EMLINK);
EXPORT_SYMBOL(EPIPE);
EXPORT_SYMBOL(EDOM);
EXPORT_SYMBOL(ERANGE);
EXPORT_SYMBOL(EDEADLK);
EXPORT_SYMBOL(ENAMETOOLONG);
EXPORT_SYMBOL(ENOLCK);
EXPORT_SYMBOL(ENOSYS);
EXPORT_SYMBOL(ENOTEMPTY);
EXPORT_SYMBOL(ELOOP);
EXPORT_SYMBOL(ENOMSG);
EXPORT_SYMBOL(EIDRM);
EXPORT_SYMBOL(ENODATA);
EXPORT_SYMBOL(ETIME);
EXPORT_SYMBOL(EOVERFLOW);
EXPORT_SYMBOL(ENOTSOCK);
EXPORT_SYMBOL(EDESTADDRREQ);
EXPORT_SYMBOL(EMSGSIZE);
EXPORT_SYMBOL(EPROTOTYPE);
EXPORT_SYMBOL(ENOPROTOOPT);
EXPORT_SYMBOL(EPROTONOSUPPORT);
EXPORT_SYMBOL(ESOCKTNOSUPPORT);
EXPORT_SYMBOL(EOPNOTSUPP);
EXPORT_SYMBOL(EPFNOSUPPORT);
EXPORT_SYMBOL(EAFNOSUPPORT);
EXPORT_SYMBOL(EADDRINUSE);
EXPORT_SYMBOL(EADDRNOTAVAIL);
EXPORT_SYMBOL(ENETDOWN);
EXPORT_SYMBOL(ENETUNREACH);
EXPORT_SYMBOL(ECONNABORTED);
EXPORT_SYMBOL(ECONNRESET);
EXPORT_SYMBOL(ENOBUFS);
EXPORT_SYMBOL(EISCONN);
EXPORT_SYMBOL(ENOTCONN);
EXPORT_SYMBOL(ETIMEDOUT);
EXPORT_SYMBOL(ECONNREFUSED);
EXPORT_SYMBOL(EHOSTUNREACH);
EXPORT_SYMBOL(EALREADY);
EXPORT_SYMBOL(EINPROGRESS);
EXPORT_SYMBOL(EUCLEAN);
EXPORT_SYMBOL(ENOMEDIUM);
EXPORT_SYMBOL(ENOIOCTLCMD);
