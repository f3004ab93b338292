// termios.ts — the terminal interface's numbers, as Linux i386 user space knows them
// (include/uapi/asm-generic/termbits.h and ioctls.h): termios flag bits (octal, as in the
// headers), the c_cc indices, the tty ioctl numbers and poll bits.
//
// struct termios (36 bytes, what TCGETS/TCSETS copy; glibc's bigger struct is its own):
//
//   0 c_iflag u32   4 c_oflag u32   8 c_cflag u32   12 c_lflag u32   16 c_line u8   17 c_cc[19]

// termios flags (octal in Linux's headers)
export const ICRNL: u32 = 0o400;
export const INLCR: u32 = 0o100;
export const IGNCR: u32 = 0o200;
export const ISTRIP: u32 = 0o40;
export const IXON: u32 = 0o2000;
export const IMAXBEL: u32 = 0o20000;
export const IUTF8: u32 = 0o40000;
export const OPOST: u32 = 0o1;
export const ONLCR: u32 = 0o4;
export const OCRNL: u32 = 0o10;
export const CBAUD: u32 = 0o10017;
export const B38400: u32 = 0o17;
export const B115200: u32 = 0o10002;
export const CS8: u32 = 0o60;
export const CREAD: u32 = 0o200;
export const HUPCL: u32 = 0o2000;
export const CLOCAL: u32 = 0o4000;
export const ISIG: u32 = 0o1;
export const ICANON: u32 = 0o2;
export const ECHO: u32 = 0o10;
export const ECHOE: u32 = 0o20;
export const ECHOK: u32 = 0o40;
export const ECHONL: u32 = 0o100;
export const NOFLSH: u32 = 0o200;
export const ECHOCTL: u32 = 0o1000;
export const ECHOKE: u32 = 0o4000;
export const IEXTEN: u32 = 0o100000;

// c_cc indices
export const VINTR: i32 = 0;
export const VQUIT: i32 = 1;
export const VERASE: i32 = 2;
export const VKILL: i32 = 3;
export const VEOF: i32 = 4;
export const VTIME: i32 = 5;
export const VMIN: i32 = 6;
export const VSTART: i32 = 8;
export const VSTOP: i32 = 9;
export const VSUSP: i32 = 10;
export const VEOL: i32 = 11;
export const VREPRINT: i32 = 12;
export const VWERASE: i32 = 14;
export const VLNEXT: i32 = 15;
export const VEOL2: i32 = 16;
export const NCCS: i32 = 19;
export const TERMIOS_SIZE: u32 = 36;
// ^C ^\ DEL ^U ^D time 0 min 1 swtc start ^Q stop ^S ^Z eol ^R ^O ^W ^V eol2 (Linux's INIT_C_CC)
export const defaultControlChars: StaticArray<u8> = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0];

// ioctl numbers (asm-generic/ioctls.h)
export const TCGETS: u32 = 0x5401;
export const TCSETS: u32 = 0x5402;
export const TCSETSW: u32 = 0x5403;
export const TCSETSF: u32 = 0x5404;
export const TCXONC: u32 = 0x540a;
export const TCFLSH: u32 = 0x540b;
export const TIOCSCTTY: u32 = 0x540e;
export const TIOCGPGRP: u32 = 0x540f;
export const TIOCSPGRP: u32 = 0x5410;
export const TIOCOUTQ: u32 = 0x5411;
export const TIOCGWINSZ: u32 = 0x5413;
export const TIOCSWINSZ: u32 = 0x5414;
export const FIONREAD: u32 = 0x541b;
export const TIOCNOTTY: u32 = 0x5422;
export const TIOCSETD: u32 = 0x5423;
export const TIOCGETD: u32 = 0x5424;
export const TIOCGSID: u32 = 0x5429;
