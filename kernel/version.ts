// version.ts — who this kernel is: the release (uname -r, /lib/modules/<release>, module
// vermagic) and the banner printed first at boot (Linux's linux_banner, init/version.c).

export const UTS_SYSNAME = "Lokum";
export const UTS_RELEASE = "0.1.0";
export const UTS_VERSION = "#1";
export const UTS_MACHINE = "i386";
export const LOKUM_COMPILE_BY = "lokum";
export const LOKUM_COMPILE_HOST = "build";
export const LOKUM_COMPILER = "Lokum TypeScript 0.1.0, Lokum ld";
