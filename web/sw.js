// The lab's service worker: keeps every file of the build so the page works with no network
// after the first visit — Reset (a cold boot) included. Plain JavaScript, no library: the build
// (vite.config.ts, serviceWorker) puts two constants in front of this text:
//   PRECACHE  every file of the build ("./" = the page)
//   VERSION   changes with the build, so a new build gets a fresh cache and the old one goes.
//
// Strategies:
//   assets/… and boot/snapshot-KEY.v86z  cache first: their names change when their bytes do
//   everything else (the page, boot/manifest.json, the kernel, the initrd, sw.js itself)
//                                        network first, the cache when offline: a rebuilt kernel
//                                        shows at once when online.
// Compression is the HTTP layer's business: the cache holds what fetch() returned (decoded).
/* global PRECACHE, VERSION */

const CACHE = `lokum-lab-${VERSION}`;
const IMMUTABLE = /\/(assets\/[^/]+|boot\/snapshot-[0-9a-f]+\.v86z)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

/** Every file of the build into the cache, one request each (a failure names its file). */
async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(PRECACHE.map(async (url) => {
    const response = await fetch(url, { cache: "no-cache" });
    if (!response.ok) throw new Error(`precache: ${url}: ${response.status}`);
    await cache.put(url, response);
  })).catch((error) => {
    console.error(`lokum lab service worker: ${error.message}`);
    throw error;
  });
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("lokum-lab-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // v86's network (fetch adapter) goes straight out
  event.respondWith(IMMUTABLE.test(url.pathname) ? cacheFirst(request) : networkFirst(request));
});

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreSearch: true });
    if (cached) return cached;
    if (request.mode === "navigate") {
      const page = await caches.match("./");
      if (page) return page;
    }
    throw error;
  }
}
