// kerneld.ts — the other way for the kernel to ask for a module: a message to the kerneld daemon
// (Linux 2.0's kerneld_send), beside kmod's exec of /sbin/modprobe (kmod.ts).
//
// Design note
// -----------
// Linux 2.0 did not start modprobe itself. A daemon, kerneld, opened a System V message queue
// with a special flag (IPC_KERNELD) and waited on it; request_module(NAME) put a message
// {mtype = 2 (KERNELD_REQUEST_MODULE), id = reply type ≥ 0x7fff0000, text = NAME} on that queue
// and slept until kerneld answered with {mtype = that id, id = modprobe's exit status}. If no
// kerneld took the message within one second the kernel answered itself (-ENODEV). Linux 2.2's
// kmod replaced it: the kernel execs modprobe directly — "skips the middle man" — and System V
// IPC, which kerneld needed in the kernel, could then become a module.
//
// In Lokum it is the other way round, on purpose: message queues ARE a module (sysvipc), and the
// kerneld side of them lives there too, as it lived in Linux 2.0's ipc/msg.c. The module hands
// the kernel one function, `send(type, text)`, while a kerneld daemon has registered with it;
// request_module uses it when kmod is switched off (/proc/sys/kernel/modprobe is empty):
//
//   request_module("fs-samplefs")
//     modprobe path set?  → kmod: exec /sbin/modprobe -q -- fs-samplefs   (kmod.ts)
//     else a kerneld?     → kerneldSend(KERNELD_REQUEST_MODULE, "fs-samplefs")
//                            (message queue → kerneld → modprobe -k -s fs-samplefs → reply)
//     else                → -ENOENT: no autoloading
//
// The call holds a reference on the module that serves it, so sysvipc cannot be removed while
// a request waits for kerneld's answer.

import { Module, moduleOfAddress, modulePut, tryModuleGet } from "./module/module";
import { ENODEV, EBUSY } from "./lib/errno";

// Request types of Linux 2.0's <linux/kerneld.h>.
export const KERNELD_SYSTEM: i32 = 1;
export const KERNELD_REQUEST_MODULE: i32 = 2;
export const KERNELD_RELEASE_MODULE: i32 = 3;

/** Sends request `type` with the NUL-terminated `text` to kerneld and waits for its answer:
 *  the answer's status (0: done), or -errno (-ENODEV: no kerneld answered). */
export type KerneldSendFn = (type: i32, text: usize) => i32;

let transport: KerneldSendFn = null;

/** Called by the module that carries kerneld's messages (sysvipc) when a daemon registers.
 *  0, or -EBUSY if another transport is installed. */
export function registerKerneldTransport(send: KerneldSendFn): i32 {
  if (transport != null && changetype<usize>(transport) != changetype<usize>(send)) return -EBUSY;
  transport = send;
  return 0;
}

/** Called when the last kerneld is gone (or the module leaves). */
export function unregisterKerneldTransport(): void {
  transport = null;
}

/** True while a kerneld is registered. */
export function kerneldRunning(): bool {
  return transport != null;
}

/** kerneld_send: -ENODEV when no kerneld is registered, else the daemon's answer. */
export function kerneldSend(type: i32, text: usize): i32 {
  const send = transport;
  if (send == null) return -ENODEV;
  const owner: Module = moduleOfAddress(changetype<usize>(send));
  if (!tryModuleGet(owner)) return -ENODEV;
  const result = send(type, text);
  modulePut(owner);
  return result;
}

// Exported to modules: the message-queue module installs the transport.
EXPORT_SYMBOL(registerKerneldTransport);
EXPORT_SYMBOL(unregisterKerneldTransport);
