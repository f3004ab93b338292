// Sharing a module: the link carries the module's name and files in its fragment
// (#module=BASE64URL of the deflate-raw'd JSON), so nothing goes to a server and the link works
// offline. Opening it puts the files in the editor.

export interface SharedModule {
  name: string;
  files: Record<string, string>;
}

const PREFIX = "#module=";

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export async function shareLink(module: SharedModule, base = location.href): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify({ name: module.name, files: module.files }));
  const packed = await pipe(json, new CompressionStream("deflate-raw"));
  return base.replace(/#.*$/, "") + PREFIX + toBase64Url(packed);
}

/** The module in this page's fragment, if it carries one. */
export async function sharedModule(hash = location.hash): Promise<SharedModule | null> {
  if (!hash.startsWith(PREFIX)) return null;
  const json = await pipe(fromBase64Url(hash.slice(PREFIX.length)), new DecompressionStream("deflate-raw"));
  const value = JSON.parse(new TextDecoder().decode(json)) as SharedModule;
  if (typeof value.name !== "string" || typeof value.files !== "object") throw new Error("the link's module is malformed");
  return value;
}
