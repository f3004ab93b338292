// su: run a shell as another user (root by default), as busybox's:
//   su [-lmp] [-s SHELL] [-] [USER [-c 'CMD' | ARGS…]]
// The program is set-user-ID root (mode 4755, see docs/permissions.md): it starts with euid 0
// whoever runs it, reads /etc/shadow (mode 0600) and then becomes USER for good — supplementary
// groups from /etc/group (initgroups), then setgid, then setuid (root's setuid sets the real,
// effective and saved ids: no way back) — and execs USER's shell.
//
// Passwords: root may become anybody without one. Anybody else gives USER's password (asked
// with echo off), unless its /etc/shadow field is empty — as for every account of the teaching
// image, so `su` and `su student` just work. A password is checked against an MD5-crypt hash,
// "$1$salt$…" (`openssl passwd -1`, lib/hash/md5crypt.ts); any other field ("!", "*", other
// hash kinds) locks the account for su ("su: incorrect password").
//
// Environment: "-" (or -l) makes a login shell: a fresh environment (HOME, SHELL, USER, LOGNAME,
// PATH, TERM kept), the home directory as working directory, argv[0] "-sh". Otherwise the
// environment is kept with HOME and SHELL set — and USER and LOGNAME when USER is not root —
// unless -m/-p preserves it all. Arguments after USER go to the shell: `su student -c id`.
// Messages: "su: unknown user nosuch", "su: incorrect password",
// "su: can't change directory to '/home/x'".

import { fprintf, readLine, flushOutput } from "../lib/stdio";
import { getuid, setuid, setgid, chdir, execve, ioctl } from "../lib/unistd";
import { md5crypt } from "../lib/hash/md5crypt";
import { errorText } from "../lib/errno";
import { getpwnam, initgroups, getspnam, pwName, pwUid, pwGid, pwDir, pwShell } from "../lib/passwd";
import { environ, setEnviron, setenv, getenv } from "../lib/env";
import { malloc } from "../lib/malloc";
import { cstr, streq, strcmp } from "../lib/string";

const hash = new StaticArray<u8>(128);
const answer = new StaticArray<u8>(128);

function usage(): i32 {
  fprintf(2, "Usage: su [-lmp] [-s SH] [-] [USER [FILE ARGS | -c 'CMD' [ARG0 ARGS]]]\n");
  return 1;
}

const termios = new StaticArray<u32>(16);
const TCGETS: u32 = 0x5401, TCSETS: u32 = 0x5402, ECHO: u32 = 0o10;

/** Reads a line from the terminal with echo off (as busybox's bb_ask_noecho), newline dropped. */
function askPassword(): void {
  fprintf(2, "Password: ");
  flushOutput();
  const t = changetype<usize>(termios);
  const tty = ioctl(0, TCGETS, t) == 0;
  const lflag = termios[3];
  if (tty) {
    termios[3] = lflag & ~ECHO;
    ioctl(0, TCSETS, t);
  }
  const a = changetype<usize>(answer);
  const n = readLine(0, a, 128);
  if (n > 0 && load<u8>(a + <usize>n - 1) == "\n".charCodeAt(0)) store<u8>(a + <usize>n - 1, 0);
  if (n <= 0) store<u8>(a, 0);
  if (tty) {
    termios[3] = lflag;
    ioctl(0, TCSETS, t);
  }
  fprintf(2, "\n");
}

/** May the caller become the user just looked up? Root always; others by the shadow entry. */
function authenticated(): bool {
  if (getuid() == 0) return true;
  const h = changetype<usize>(hash);
  if (!getspnam(changetype<usize>(pwName), h, 128)) store<u8>(h, 0x21); // no entry: locked ("!")
  if (load<u8>(h) == 0) return true; // no password set
  askPassword();
  const computed = changetype<usize>(computedHash);
  return md5crypt(changetype<usize>(answer), h, computed) && strcmp(computed, h) == 0;
}
const computedHash = new StaticArray<u8>(64);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let login = false;
  let keepEnv = false;
  let shell: usize = 0;
  let command: usize = 0;
  let i = 1;
  for (; i < argc; i++) {
    const a = load<usize>(argv + 4 * i);
    if (load<u8>(a) != "-".charCodeAt(0)) break; // not an option: USER
    if (streq(a, "-") || streq(a, "-l") || streq(a, "--login")) login = true;
    else if (streq(a, "-m") || streq(a, "-p")) keepEnv = true;
    else if (streq(a, "-s") && i + 1 < argc) shell = load<usize>(argv + 4 * ++i);
    else if (streq(a, "-c") && i + 1 < argc) command = load<usize>(argv + 4 * ++i);
    else return usage();
  }
  const user = i < argc ? load<usize>(argv + 4 * i++) : cstr("root");
  if (!getpwnam(user)) {
    fprintf(2, "su: unknown user %s\n", user);
    return 1;
  }
  if (!authenticated()) {
    fprintf(2, "su: incorrect password\n");
    return 1;
  }
  // Become the user: groups first, while still root, then gid, then uid.
  if (initgroups(changetype<usize>(pwName), pwGid) < 0 || setgid(pwGid) < 0 || setuid(pwUid) < 0) {
    fprintf(2, "su: can't set user %s: %s\n", user, errorText());
    return 1;
  }
  if (shell == 0) shell = changetype<usize>(pwShell);
  if (login) {
    const term = getenv(cstr("TERM"));
    const empty = malloc(4);
    store<usize>(empty, 0);
    setEnviron(empty);
    if (term != 0) setenv(cstr("TERM"), term, true);
    setenv(cstr("PATH"), cstr("/bin:/sbin"), true);
  }
  if (login || !keepEnv) {
    setenv(cstr("HOME"), changetype<usize>(pwDir), true);
    setenv(cstr("SHELL"), shell, true);
    if (login || pwUid != 0) {
      setenv(cstr("USER"), changetype<usize>(pwName), true);
      setenv(cstr("LOGNAME"), changetype<usize>(pwName), true);
    }
  }
  if (login && chdir(changetype<usize>(pwDir)) < 0) {
    fprintf(2, "su: can't change directory to '%s'\n", pwDir);
  }
  // argv: sh (or -sh) [-c CMD] ARGS…
  const args = malloc(<usize>(argc + 4) * 4);
  let n = 0;
  store<usize>(args + 4 * n++, cstr(login ? "-sh" : "sh"));
  if (command != 0) {
    store<usize>(args + 4 * n++, cstr("-c"));
    store<usize>(args + 4 * n++, command);
  }
  for (; i < argc; i++) store<usize>(args + 4 * n++, load<usize>(argv + 4 * i));
  store<usize>(args + 4 * n, 0);
  execve(shell, args, environ);
  fprintf(2, "su: can't execute '%s': %s\n", shell, errorText());
  return 127;
}
