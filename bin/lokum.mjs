#!/usr/bin/env node
// The `lokum` command: runs the compiled CLI from build/ (made by `npm ci` / `tsc -b`).
import { main } from "../build/toolchain/cli/lokum.js";
process.exitCode = await main(process.argv.slice(2));
