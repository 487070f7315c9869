/* Nära's service worker: shows reminders and answers their buttons, and keeps Nära
 * usable without a network (issue 15).
 *
 * Fetches, in order (anything not named here goes to the network untouched):
 *  - never touched: other origins, non-GET requests, Reflex's websocket (/_event),
 *    uploads (/_upload), /ping, sign-in and sign-out (/auth/), /push/, exports and
 *    calendar feeds: these always reach the server and are never cached;
 *  - /utan-nat/kopia, the resident's offline copy (JSON): network first; a 200 is
 *    kept in the "nara-personal" cache, a 401/403/404 deletes what was kept (the
 *    server answers 200 only to a device the resident turned the copy on for);
 *    without a network, the kept copy;
 *  - page loads (navigations): network first, never cached; if the network fails,
 *    the offline page /utan-nat, kept at install;
 *  - /utan-nat/artikel/…, a published article as JSON (public, as its page): stale
 *    while revalidate; each one fetched is kept in "nara-articles-read" (the last 30
 *    read on this device), and refreshed in "nara-articles-saved" where the reader
 *    saved it (offline.js, "Spara för att läsa utan nät"); a 404 (withdrawn) forgets it;
 *  - hashed build files (/assets/name-HASH.js|css…): cache first, they never change;
 *  - the offline page's own files (/nara.css, /offline.js, icons): network first,
 *    the kept copy without a network.
 * Signing out clears every cache (the server answers Clear-Site-Data).
 *
 * Check-offs made without a network wait in IndexedDB (offline.js, imported here for
 * its queue): a Background Sync ("nara-check-offs") sends them when the network is
 * back, even with no tab open, and tells open tabs so they show the result.
 *
 * A push carries JSON made by naranara/reminders/payload.py:
 *   {title, body, url, tag, actions: [{action, title}], token}
 * "done" and "snooze" are posted back with the token (no page needs to open:
 * they work from a locked phone); "open" and a tap on the text open the app.
 */

const ACTION_PATH = "/push/atgard";
const SUBSCRIPTION_PATH = "/push/prenumeration";
const PUBLIC_KEY_PATH = "/push/nyckel";

importScripts("/offline.js"); // self.naraCheckOffs: the queue of check-offs made offline

const CACHE_VERSION = "v1";
const SHELL_CACHE = `nara-shell-${CACHE_VERSION}`; // the offline page and its files
// Hashed build files, kept across versions of this worker: a tab still running the
// previous build may yet ask for its files (a file no longer on the server fails, and
// React Router then loads the page anew, on the new build).
const BUILD_CACHE = "nara-build";
const PERSONAL_CACHE = "nara-personal"; // the resident's offline copy, by her choice
const READ_ARTICLES = "nara-articles-read"; // articles read on this device
const SAVED_ARTICLES = "nara-articles-saved"; // articles the reader saved (offline.js)
const ARTICLES_READ_KEPT = 30; // the oldest go when there are more
const ARTICLES = /^\/utan-nat\/artikel\//;
const OFFLINE_PAGE = "/utan-nat";
const OFFLINE_COPY = "/utan-nat/kopia";
const SHELL_FILES = [OFFLINE_PAGE, "/nara.css", "/offline.js", "/icon.svg", "/icon-192.png"];
const NEVER = [/^\/_event/, /^\/_upload/, /^\/ping/, /^\/auth\//, /^\/push\//, /^\/export\//,
  /^\/kalender\//, /^\/healthz/, /^\/readyz/, /^\/utan-nat\/avbockningar/];
const HASHED = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.(?:js|mjs|css|woff2?|png|svg|jpg|webp)$/;
const BUILD_FILES_KEPT = 300; // the oldest go when there are more

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL_FILES.map((path) => new Request(path, { cache: "reload" }))))
      .catch(() => undefined) // offline at install: the next start tries again
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  const current = new Set([SHELL_CACHE, BUILD_CACHE, PERSONAL_CACHE, READ_ARTICLES, SAVED_ARTICLES]);
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => !current.has(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function offlineCopy(request) {
  const cache = await caches.open(PERSONAL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(OFFLINE_COPY, response.clone());
    } else if ([401, 403, 404, 410].includes(response.status)) {
      await cache.delete(OFFLINE_COPY); // turned off, signed out, or not this person's
    }
    return response;
  } catch (error) {
    const kept = await cache.match(OFFLINE_COPY);
    return kept || new Response('{"kept": false}', {
      status: 503,
      headers: { "Content-Type": "application/json" },
    });
  }
}

async function keepArticle(request, response) {
  const read = await caches.open(READ_ARTICLES);
  const saved = await caches.open(SAVED_ARTICLES);
  if (response.ok) {
    await read.delete(request); // put again last: the newest read at the end
    await read.put(request, response.clone());
    if (await saved.match(request)) {
      await saved.put(request, response.clone());
    }
    const keys = await read.keys();
    await Promise.all(keys.slice(0, Math.max(0, keys.length - ARTICLES_READ_KEPT)).map((k) => read.delete(k)));
  } else if (response.status === 404) {
    await read.delete(request); // withdrawn
    await saved.delete(request);
  }
  return response;
}

async function article(event) {
  const request = event.request;
  const kept = await caches.match(request, { cacheName: SAVED_ARTICLES }) ||
    await caches.match(request, { cacheName: READ_ARTICLES });
  const fresh = fetch(request).then((response) => keepArticle(request, response));
  if (kept) {
    event.waitUntil(fresh.catch(() => undefined)); // brought up to date for next time
    return kept;
  }
  return fresh;
}

async function navigation(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const page = await caches.match(OFFLINE_PAGE, { cacheName: SHELL_CACHE });
    return page || Response.error();
  }
}

async function buildFile(request) {
  const cache = await caches.open(BUILD_CACHE);
  const kept = await cache.match(request);
  if (kept) {
    return kept;
  }
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    await cache.put(request, response.clone());
    const keys = await cache.keys();
    await Promise.all(keys.slice(0, Math.max(0, keys.length - BUILD_FILES_KEPT)).map((k) => cache.delete(k)));
  }
  return response;
}

async function shellFile(request, path) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(path, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(path);
    if (kept) {
      return kept;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.some((pattern) => pattern.test(url.pathname))) {
    return;
  }
  if (url.pathname === OFFLINE_COPY) {
    event.respondWith(offlineCopy(request));
  } else if (ARTICLES.test(url.pathname)) {
    event.respondWith(article(event));
  } else if (request.mode === "navigate") {
    event.respondWith(navigation(request));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(buildFile(request));
  } else if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(shellFile(request, url.pathname));
  }
});

/* The page asks to forget the offline copy (turned off on Profil). */
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "forget-offline-copy") {
    event.waitUntil(caches.delete(PERSONAL_CACHE));
  }
});

/* Check-offs made without a network, sent when it is back (Background Sync). A
 * rejection makes the browser try again later; open tabs hear what was sent. */
async function sendCheckOffs() {
  let sent = 0;
  let batch;
  do {
    batch = await self.naraCheckOffs.flush(); // 50 at a time
    sent += batch;
  } while (batch > 0 && (await self.naraCheckOffs.queued()).length > 0);
  if ((await self.naraCheckOffs.queued()).length > 0) {
    throw new Error("check-offs still wait"); // signed out or a server error: later
  }
  const windows = await self.clients.matchAll({ type: "window" });
  windows.forEach((client) => client.postMessage({ type: "check-offs-sent", sent }));
}

self.addEventListener("sync", (event) => {
  if (event.tag === self.naraCheckOffs.SYNC_TAG) {
    event.waitUntil(sendCheckOffs());
  }
});

/* Only paths of this site: a push never sends anyone elsewhere. */
function sameSitePath(url) {
  try {
    const target = new URL(url || "/", self.location.origin);
    return target.origin === self.location.origin ? target.pathname + target.search : "/";
  } catch (error) {
    return "/";
  }
}

function showReminder(message) {
  const title = typeof message.title === "string" && message.title ? message.title : "Nära";
  return self.registration.showNotification(title, {
    body: typeof message.body === "string" ? message.body : "",
    tag: typeof message.tag === "string" ? message.tag : undefined,
    actions: Array.isArray(message.actions) ? message.actions : [],
    data: { url: sameSitePath(message.url), token: message.token || "" },
    icon: "/icon-192.png",
    badge: "/badge-96.png",
    lang: "sv",
  });
}

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  event.waitUntil(showReminder(message));
});

/* The app's window if one is open (focused and sent to url), else a new one. */
async function openApp(url) {
  const target = new URL(sameSitePath(url), self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin === self.location.origin && "focus" in client) {
      const focused = await client.focus();
      return focused.navigate ? focused.navigate(target) : focused;
    }
  }
  return self.clients.openWindow(target);
}

async function answer(token, action) {
  const response = await fetch(ACTION_PATH, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token, action }),
  });
  return response.ok;
}

/* What a tap on a notification does; ``action`` is "" for the text itself.
 * Returns a promise that settles when the server has answered. */
async function handleNotificationClick(notification, action) {
  const data = notification.data || {};
  notification.close();
  if ((action === "done" || action === "snooze") && data.token) {
    let done = false;
    try {
      done = await answer(data.token, action);
    } catch (error) {
      done = false; // offline: open the app, where the person can do it by hand
    }
    if (done) {
      return "answered";
    }
  }
  await openApp(data.url);
  return "opened";
}

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(handleNotificationClick(event.notification, event.action || ""));
});

/* The push service replaced or ended this browser's subscription: tell the server. */
async function resubscribe(oldSubscription, newSubscription) {
  let subscription = newSubscription;
  if (!subscription) {
    const key = await fetch(PUBLIC_KEY_PATH, { credentials: "same-origin" }).then((r) => r.json());
    subscription = await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key.publicKey,
    });
  }
  await fetch(SUBSCRIPTION_PATH, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      ...subscription.toJSON(),
      renew: true,
      replaces: oldSubscription ? oldSubscription.endpoint : null,
    }),
  });
}

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(resubscribe(event.oldSubscription, event.newSubscription));
});
