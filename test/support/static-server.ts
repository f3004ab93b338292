// A static file server that serves the lab's build as a host would: pre-compressed (FILE.br or
// FILE.gz beside FILE, chosen by Accept-Encoding, with Content-Encoding), with ETags so a
// revalidation costs a 304, and Cache-Control: no-cache (the service worker decides what is kept).
// It counts the bytes it sends (the bench's "bytes downloaded") and can be told to go offline.
//
//   npm run serve:web            serves dist/web/ on http://127.0.0.1:8086/

import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".wasm": "application/wasm", ".svg": "image/svg+xml", ".png": "image/png", ".webmanifest": "application/manifest+json",
};

export interface StaticServer {
  url: string;
  server: Server;
  /** Body bytes sent so far (as sent: compressed when compressed). */
  bytesSent(): number;
  resetCount(): void;
  close(): Promise<void>;
}

export async function serveStatic(root: string, port = 0): Promise<StaticServer> {
  let sent = 0;
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    let path = normalize(join(root, pathname));
    if (!path.startsWith(resolve(root))) return void response.writeHead(403).end();
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
    if (!existsSync(path)) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end(`${pathname}: not found\n`);
      return;
    }
    const accept = String(request.headers["accept-encoding"] ?? "");
    let file = path;
    let encoding: string | undefined;
    if (/\bbr\b/.test(accept) && existsSync(`${path}.br`)) [file, encoding] = [`${path}.br`, "br"];
    else if (/\bgzip\b/.test(accept) && existsSync(`${path}.gz`)) [file, encoding] = [`${path}.gz`, "gzip"];
    const stat = statSync(file);
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}${encoding ? `-${encoding}` : ""}"`;
    const headers: Record<string, string | number> = {
      "Content-Type": TYPES[extname(path)] ?? "application/octet-stream",
      "Cache-Control": "no-cache",
      ETag: etag,
      Vary: "Accept-Encoding",
    };
    if (encoding) headers["Content-Encoding"] = encoding;
    if (request.headers["if-none-match"] === etag) return void response.writeHead(304, headers).end();
    headers["Content-Length"] = stat.size;
    response.writeHead(200, headers);
    if (request.method === "HEAD") return void response.end();
    sent += stat.size;
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done, fail) => server.once("error", fail).listen(port, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    server,
    bytesSent: () => sent,
    resetCount: () => void (sent = 0),
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

// `vite-node test/support/static-server.ts [DIR] [PORT]`
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? "dist/web");
  const started = await serveStatic(root, Number(process.argv[3] ?? 8086));
  console.log(`serving ${root} (pre-compressed) on ${started.url}`);
}
