// env: print the environment, or run a command in a modified one (busybox env):
//   env [-i] [NAME=VALUE]... [COMMAND [ARG]...]
// -i starts from an empty environment. A command that cannot be run is reported with
// status 127 (not found) or 126 (found but not runnable).

import { printf, fprintf } from "../lib/stdio";
import { environ, putenv, setEnviron } from "../lib/env";
import { execvpe } from "../lib/unistd";
import { errno, errorText, ENOENT } from "../lib/errno";
import { streq, strchr, cstr } from "../lib/string";
import { getenv } from "../lib/env";

let empty = new StaticArray<usize>(1);

export function main(argc: i32, argv: usize, envp: usize): i32 {
  let i = 1;
  if (i < argc && (streq(load<usize>(argv + 4 * i), "-i") || streq(load<usize>(argv + 4 * i), "-"))) {
    setEnviron(changetype<usize>(empty));
    i++;
  }
  if (i < argc && streq(load<usize>(argv + 4 * i), "--")) i++;
  for (; i < argc && strchr(load<usize>(argv + 4 * i), "=".charCodeAt(0)) != 0; i++) putenv(load<usize>(argv + 4 * i));
  if (i == argc) {
    for (let e = environ; load<usize>(e) != 0; e += 4) printf("%s\n", load<usize>(e));
    return 0;
  }
  let path = getenv(cstr("PATH"));
  if (path == 0) path = cstr("/bin:/sbin");
  const name = load<usize>(argv + 4 * i);
  execvpe(name, argv + 4 * i, environ, path);
  fprintf(2, "env: can't execute '%s': %s\n", name, errorText());
  return errno == ENOENT ? 127 : 126;
}
