// The field app's service worker: the app's own files, kept on the phone so it starts with no signal at all.
// The team's data is not here (it is in IndexedDB, see store.js): a new version replaces these files and leaves
// the queue alone. The cache name carries a digest of every file of the app (the server writes it in), so any change
// makes a new worker, which takes over on the next start.
const CACHE = "tpmap-field-__VERSION__";
const FILES = [
  "/field/",
  "/field/app.js",
  "/field/queue.js",
  "/field/store.js",
  "/field/dates.js",
  "/field/words.js",
  "/field/field.css",
  "/field/i18n.json",
  "/field/manifest.webmanifest",
  "/field/icon.svg",
  "/field/icon-192.png",
  "/field/icon-512.png",
  "/field/vendor/idb.js",
  "/field/vendor/pointInPolygon.min.js",
  "/assets/fonts/sarabun-thai-400-normal.woff2",
  "/assets/fonts/sarabun-thai-700-normal.woff2",
  "/assets/fonts/sarabun-latin-400-normal.woff2",
  "/assets/fonts/sarabun-latin-700-normal.woff2",
];

self.addEventListener("install", (event) => {
  // all or nothing: a half-cached version never replaces a whole one
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: "reload" })))).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("tpmap-field-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  // the API and the shapes go to the network (the app keeps what it needs in IndexedDB)
  if (!FILES.includes(url.pathname)) return;
  // the app's files from the phone first: a village without signal must not wait for a network timeout
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(url.pathname).then((hit) => hit || fetch(event.request))),
  );
});
