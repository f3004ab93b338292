// su: run a shell as another user (root by default), as busybox's:
//   su [-lmp] [-s SHELL] [-] [USER [-c 'CMD' | ARGS…]]
// The program is set-user-ID root (mode 4755, see docs/permissions.md): it starts with euid 0
// whoever runs it, reads /etc/shadow (mode 0600) and then becomes USER for good — supplementary
// groups from /etc/group (initgroups), then setgid, then setuid (root's setuid sets the real,
// effective and saved ids: no way back) — and execs USER's shell.
//
// Passwords: root may become anybody without one. Anybody else gives USER's password, unless
// its /etc/shadow field is empty — as for every account of the teaching image, so `su` and
// `su student` just work. Lokum has no crypt(): any other shadow field ("!", "*", a hash) locks
// the account for su ("su: incorrect password").
//
// Environment: "-" (or -l) makes a login shell: a fresh environment (HOME, SHELL, USER, LOGNAME,
// PATH, TERM kept), the home directory as working directory, argv[0] "-sh". Otherwise the
// environment is kept with HOME and SHELL set — and USER and LOGNAME when USER is not root —
// unless -m/-p preserves it all. Arguments after USER go to the shell: `su student -c id`.
// Messages: "su: unknown user nosuch", "su: incorrect password",
// "su: can't change directory to '/home/x'".

import { fprintf, readLine } from "../lib/stdio";
import { getuid, setuid, setgid, chdir, execve } from "../lib/unistd";
import { errorText } from "../lib/errno";
import { getpwnam, initgroups, getspnam, pwName, pwUid, pwGid, pwDir, pwShell } from "../lib/passwd";
import { environ, setEnviron, setenv, getenv } from "../lib/env";
import { malloc } from "../lib/malloc";
import { cstr, streq } from "../lib/string";

const hash = new StaticArray<u8>(128);
const answer = new StaticArray<u8>(128);

function usage(): i32 {
  fprintf(2, "Usage: su [-lmp] [-s SH] [-] [USER [FILE ARGS | -c 'CMD' [ARG0 ARGS]]]\n");
  return 1;
}

/** May the caller become the user just looked up? Root always; others by the shadow entry. */
function authenticated(): bool {
  if (getuid() == 0) return true;
  const h = changetype<usize>(hash);
  if (!getspnam(changetype<usize>(pwName), h, 128)) store<u8>(h, 0x21); // no entry: locked ("!")
  if (load<u8>(h) == 0) return true; // no password set
  fprintf(2, "Password: ");
  readLine(0, changetype<usize>(answer), 128);
  fprintf(2, "\n");
  return false; // no crypt() in Lokum: a set password cannot be checked
}

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let login = false;
  let keepEnv = false;
  let shell: usize = 0;
  let command: usize = 0;
  let i = 1;
  for (; i < argc; i++) {
    const a = load<usize>(argv + 4 * i);
    if (load<u8>(a) != 45) break; // not an option: USER
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
    fprintf(2, "su: can't change directory to '%s'\n", changetype<usize>(pwDir));
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
