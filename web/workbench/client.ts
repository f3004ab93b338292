// The page's side of the workbench worker: one request → one promise.

import type { Completion, HoverInfo, LabBuildResult, Request, Response } from "./protocol.js";

export class WorkbenchClient {
  private readonly worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  private readonly pending = new Map<number, (r: Response) => void>();
  private nextId = 1;
  /** Resolves when the worker has loaded its toolchain and warmed up. */
  readonly ready: Promise<void>;

  constructor() {
    let ready!: () => void;
    this.ready = new Promise((resolve) => (ready = resolve));
    this.worker.onmessage = (event: MessageEvent<Response | { id: 0; kind: "ready" }>) => {
      const r = event.data;
      if (r.kind === "ready") return ready();
      this.pending.get(r.id)?.(r);
      this.pending.delete(r.id);
    };
  }

  private ask(request: Request): Promise<Response> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (r) => (r.kind === "error" ? reject(new Error(r.message)) : resolve(r)));
      this.worker.postMessage({ ...request, id });
    });
  }

  async build(module: string, files: Record<string, string>, others: Record<string, string> = {}, moreExports: [string, string][] = []): Promise<{ result: LabBuildResult; ms: number }> {
    const r = await this.ask({ kind: "build", module, files, others, moreExports });
    if (r.kind !== "build") throw new Error("workbench: unexpected answer");
    return { result: r.result, ms: r.ms };
  }

  async complete(files: Record<string, string>, file: string, pos: number): Promise<{ items: Completion[]; from: number }> {
    const r = await this.ask({ kind: "complete", files, file, pos });
    return r.kind === "complete" ? { items: r.items, from: r.from } : { items: [], from: pos };
  }

  async hover(files: Record<string, string>, file: string, pos: number): Promise<HoverInfo | null> {
    const r = await this.ask({ kind: "hover", files, file, pos });
    return r.kind === "hover" ? r.info : null;
  }
}
