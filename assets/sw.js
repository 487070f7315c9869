/* Nära's service worker: shows reminders and answers their buttons.
 *
 * It has no fetch handler on purpose: Reflex's websocket (/_event), uploads
 * (/_upload) and /ping must always reach the server, and pages are not cached.
 *
 * A push carries JSON made by naranara/reminders/payload.py:
 *   {title, body, url, tag, actions: [{action, title}], token}
 * "done" and "snooze" are posted back with the token (no page needs to open:
 * they work from a locked phone); "open" and a tap on the text open the app.
 */

const ACTION_PATH = "/push/atgard";
const SUBSCRIPTION_PATH = "/push/prenumeration";
const PUBLIC_KEY_PATH = "/push/nyckel";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

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
