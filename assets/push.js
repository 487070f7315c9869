/* Reminders on this device: registers the service worker on every page load, keeps
 * this device's push subscription fresh, and turns reminders on when the person asks.
 *
 * window.naraPush.status()  -> a promise of what the Aviseringar page should show
 * window.naraPush.enable()  -> asks for permission (only now, after the person's tap)
 *                              and registers this device; a promise of the new status
 * Statuses: "on", "off", "denied", "home-screen" (iPhone or iPad in Safari: add the app
 * to the home screen first), "unsupported", "failed".
 */
(() => {
  const STORE = "nara-push-endpoint"; // this device's endpoint, once turned on here
  const SUBSCRIPTION_PATH = "/push/prenumeration";
  const supported =
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  const apple =
    /iPhone|iPad|iPod/.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  const standalone =
    window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;

  function post(body) {
    return fetch(SUBSCRIPTION_PATH, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async function subscribe(registration) {
    const response = await fetch("/push/nyckel", { credentials: "same-origin" });
    const { publicKey } = await response.json();
    return registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: publicKey,
    });
  }

  /* The app opened: refresh this device on the server, or re-subscribe if the
   * browser's subscription expired. Never asks for permission. */
  async function renew() {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const previous = localStorage.getItem(STORE);
    if (Notification.permission !== "granted" || !previous) {
      return Notification.permission === "denied" ? "denied" : "off";
    }
    await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) || (await subscribe(registration));
    const response = await post({ ...subscription.toJSON(), renew: true, replaces: previous });
    if (response.status === 404) {
      localStorage.removeItem(STORE); // taken away in the device list
      return "off";
    }
    if (!response.ok) {
      return "failed";
    }
    localStorage.setItem(STORE, subscription.endpoint);
    return "on";
  }

  let opened = null;

  function status() {
    if (apple && !standalone) {
      return Promise.resolve("home-screen");
    }
    if (!supported) {
      return Promise.resolve("unsupported");
    }
    opened = opened || renew().catch(() => "failed");
    return opened;
  }

  async function enable() {
    if (apple && !standalone) {
      return "home-screen";
    }
    if (!supported) {
      return "unsupported";
    }
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        return permission === "denied" ? "denied" : "off";
      }
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      let subscription =
        (await registration.pushManager.getSubscription()) || (await subscribe(registration));
      let response = await post(subscription.toJSON());
      if (response.status === 409) {
        // Someone else turned reminders on in this browser: a new subscription for this
        // person, and the old one ends (their reminders no longer reach this browser).
        await subscription.unsubscribe();
        subscription = await subscribe(registration);
        response = await post(subscription.toJSON());
      }
      if (!response.ok) {
        return "failed";
      }
      localStorage.setItem(STORE, subscription.endpoint);
      opened = Promise.resolve("on");
      return "on";
    } catch (error) {
      return "failed";
    }
  }

  window.naraPush = { status, enable };
  window.dispatchEvent(new Event("nara-push-ready"));
  status();
})();
