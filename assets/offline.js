/* Nära without signal, in the page: loaded on every page and by the offline page, and
 * by the service worker (assets/sw.js imports it for Background Sync: only the queue
 * part below runs there).
 *
 * - Keeps this device's offline copy fresh: when the resident turned it on here
 *   (Profil → Spara på den här telefonen), each app open fetches /utan-nat/kopia;
 *   the service worker keeps the answer (assets/sw.js).
 * - Queues check-offs made on the offline page, and taps on Klar on Hem while the phone
 *   is offline (Reflex would keep those in the tab's memory only, gone when it closes,
 *   with no word to the person), in IndexedDB, each with a random key,
 *   and sends the queue to POST /utan-nat/avbockningar when the browser is online:
 *   by Background Sync where the browser has it (the worker sends it even when no tab
 *   is open), and at once, on the "online" event and on every app open. The server
 *   takes each key once, so sending again after a lost answer never counts twice.
 *   What the server could not take is kept as a notice and said on the next page.
 * - Articles: each article page read here is fetched as /utan-nat/artikel/…, which the
 *   worker keeps (the last 30); "Spara för att läsa utan nät" keeps one until taken
 *   away again (at most 100).
 * - On the offline page (/utan-nat, or any address the worker answered with it),
 *   shows the kept copy: agreed times, contacts with tel: links, today's and
 *   tomorrow's tasks with buttons, what matters to the resident; and the articles kept
 *   on this device, the one whose address was asked for opened. Text is set with
 *   textContent; the articles' HTML is the server's sanitised rendering, as on the
 *   article page.
 *
 * window.naraOffline.turnedOn() / turnedOff(): called by Profil after the choice.
 */
(() => {
  const COPY_PATH = "/utan-nat/kopia";
  const CHECK_OFFS_PATH = "/utan-nat/avbockningar";
  const PERSONAL_CACHE = "nara-personal";
  const SAVED_ARTICLES = "nara-articles-saved"; // "Spara för att läsa utan nät"
  const READ_ARTICLES = "nara-articles-read"; // kept by the worker as they are read
  const SAVED_ARTICLES_KEPT = 100;
  const SYNC_TAG = "nara-check-offs";
  const FLAG = "nara-offline-copy"; // "on": this device keeps a copy
  const DB_NAME = "nara-offline";
  const DB_VERSION = 2; // 2: the notices store
  const STORE = "check-offs";
  const NOTICES = "notices"; // what the server said of check-offs it could not take

  /* ---- the queue, here and in the service worker ---- */

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        // Both keyed by the check-off's key: a notice said twice (the page and the worker
        // sent the same check-off at once, and the server answered both) is kept once.
        for (const name of [STORE, NOTICES]) {
          if (!request.result.objectStoreNames.contains(name)) {
            request.result.createObjectStore(name, { keyPath: "key" });
          }
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(name, mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(name, mode);
        const result = work(transaction.objectStore(name));
        transaction.oncomplete = () => resolve(result && "result" in result ? result.result : result);
        transaction.onerror = () => reject(transaction.error);
      });
    } finally {
      db.close();
    }
  }

  const queued = () => withStore(STORE, "readonly", (store) => store.getAll());
  const enqueue = (item) => withStore(STORE, "readwrite", (store) => store.put(item));
  const drop = (keys) =>
    withStore(STORE, "readwrite", (store) => keys.forEach((key) => store.delete(key)));
  const NOTICE_KEPT_MS = 7 * 24 * 3600 * 1000; // a said notice's key, so it is said once

  /* For each key, in one transaction: ``change`` gets the notice kept under it (or
   * undefined) and returns what to keep instead, or nothing to leave it as it is. */
  const changeNotices = (keys, change) =>
    withStore(NOTICES, "readwrite", (store) =>
      keys.forEach((key) => {
        const known = store.get(key);
        known.onsuccess = () => {
          const changed = change(known.result, key);
          if (changed) {
            store.put(changed);
          }
        };
      }),
    );

  /* A notice is kept once per check-off, whoever sent it (the page and the worker may
   * send the same check-off at once; the server answers both): one already known, said
   * or not, is left as it is. */
  function keepNotices(notices) {
    const byKey = new Map(notices.map((notice) => [notice.key, notice]));
    return changeNotices([...byKey.keys()], (known, key) =>
      known ? null : { ...byKey.get(key), saidAt: null },
    );
  }

  /* The notices not yet said, marked said in the same transaction: one reader gets each. */
  const takeNotices = () =>
    withStore(NOTICES, "readwrite", (store) => {
      const taken = [];
      const all = store.getAll();
      all.onsuccess = () => {
        const now = Date.now();
        for (const notice of all.result) {
          if (!notice.saidAt) {
            taken.push(notice);
            store.put({ ...notice, saidAt: now });
          } else if (now - notice.saidAt > NOTICE_KEPT_MS) {
            store.delete(notice.key);
          }
        }
      };
      return taken;
    });

  /* Notices a page showed but is leaving before anyone could read them: the next page
   * says them. */
  const unsayNotices = (keys) =>
    changeNotices(keys, (known) => known && { ...known, saidAt: null });

  let flushing = null;

  /* Send what waits; resolves to how many were answered, and keeps the server's
   * messages for what it could not take (said by the next page, takeNotices). */
  function flush() {
    flushing = flushing || send().finally(() => { flushing = null; });
    return flushing;
  }

  async function send() {
    if (!navigator.onLine) {
      return 0;
    }
    const items = (await queued()).slice(0, 50);
    if (items.length === 0) {
      return 0;
    }
    const response = await fetch(CHECK_OFFS_PATH, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ checkOffs: items }),
    });
    if (!response.ok) {
      return 0; // signed out or a server error: keep the queue
    }
    const { results } = await response.json();
    const answered = results.map((result) => result.key).filter(Boolean);
    await drop(answered);
    await keepNotices(
      results
        .filter((result) => result.outcome !== "recorded" && result.message && result.key)
        .map((result) => ({ key: result.key, message: result.message })),
    );
    return answered.length;
  }

  if (typeof document === "undefined") {
    // In the service worker: the queue is all it needs (its "sync" handler).
    self.naraCheckOffs = { flush, queued, SYNC_TAG };
    return;
  }

  /* ---- in the page ---- */

  /* The worker's Background Sync sent the queue (sw.js posts "check-offs-sent"). */
  function whenTheWorkerSent(afterSent) {
    navigator.serviceWorker?.addEventListener("message", (event) => {
      if (event.data && event.data.type === "check-offs-sent") {
        afterSent(event.data.sent).catch(() => undefined);
      }
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  }

  /* Queued here; sent by the worker's Background Sync when the network is back, even if
   * this tab is closed by then, and by this page too (the server takes each once). */
  async function remember(item) {
    await enqueue(item);
    // Not awaited: without a worker yet, "ready" waits for one, and the row must say
    // at once that the tap waits. No Background Sync here: "online" or the next open sends it.
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready
        .then((registration) => registration.sync && registration.sync.register(SYNC_TAG))
        .catch(() => undefined);
    }
  }

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function refreshCopy() {
    if (localStorage.getItem(FLAG) !== "on" || !navigator.onLine) {
      return;
    }
    const response = await fetch(COPY_PATH, { credentials: "same-origin" });
    if (response.status === 404 || response.status === 401) {
      localStorage.removeItem(FLAG); // turned off elsewhere, or signed out
    }
  }

  async function readCopy() {
    try {
      const response = await fetch(COPY_PATH, { credentials: "same-origin" });
      if (response.ok) {
        return await response.json();
      }
      if (response.status !== 503) {
        return null; // no copy for this device
      }
    } catch (error) {
      // no worker to answer offline: look in its cache directly
    }
    const kept = "caches" in window ? await caches.match(COPY_PATH) : undefined;
    return kept ? kept.json() : null;
  }

  /* ---- the offline page ---- */

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function fill(root, key, items, render) {
    const list = root.querySelector(`[data-list="${key}"]`);
    const empty = root.querySelector(`[data-empty="${key}"]`);
    list.replaceChildren(...items.map(render));
    empty.hidden = items.length > 0;
  }

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
  }

  function timeItem(texts, time) {
    const item = element("li", "card");
    const head = element("p", "when");
    head.append(element("strong", "", `${time.when}–${time.until}`));
    if (time.cancelled) {
      head.append(" ", element("span", "badge badge-cancelled", texts.cancelled));
    }
    item.append(head, element("p", "card-title", time.purpose));
    for (const line of [time.withWhom, time.place, time.address]) {
      if (line) {
        item.append(element("p", "", line));
      }
    }
    if (time.prepare) {
      item.append(element("p", "muted", `${texts.prepare} ${time.prepare}`));
    }
    return item;
  }

  function contactItem(texts, contact) {
    const item = element("li", "card");
    item.append(element("p", "card-title", contact.name));
    const role = [contact.role, contact.organisation].filter(Boolean).join(", ");
    if (role) {
      item.append(element("p", "role", role));
    }
    if (contact.openingHours) {
      item.append(element("p", "muted", contact.openingHours));
    }
    if (contact.tel) {
      const call = element("a", "button button-call", `${contact.phone}`);
      call.href = contact.tel;
      call.setAttribute("aria-label", say(texts.call, { name: contact.name }) + ` ${contact.phone}`);
      item.append(call);
    }
    return item;
  }

  function taskItem(texts, task, waiting, onPress) {
    const item = element("li", task.done ? "card task-done" : "card");
    const day = task.today ? texts.today : texts.tomorrow;
    item.append(element("p", "card-title", task.title), element("p", "muted", `${day} ${task.time}`));
    const status = element("p", "label");
    item.append(status);
    const waitingHere = waiting.get(`${task.taskId}|${task.occurrenceAt}`);
    if (waitingHere) {
      status.textContent = texts.queued;
    } else if (task.done) {
      status.textContent = texts.markedDone;
    } else if (task.skipped) {
      status.textContent = texts.markedSkipped;
    } else if (task.today) {
      const actions = element("div", "actions");
      for (const [choice, label, aria] of [
        ["done", texts.done, texts.doneLabel],
        ["skipped", texts.skip, texts.skipLabel],
      ]) {
        const button = element("button", choice === "done" ? "button" : "button button-secondary", label);
        button.type = "button";
        button.setAttribute("aria-label", say(aria, { title: task.title, time: task.time }));
        button.addEventListener("click", () => onPress(task, choice));
        actions.append(button);
      }
      item.append(actions);
    }
    return item;
  }

  function whatMattersItem(section) {
    const item = element("li", "card");
    item.append(element("h3", "card-title", section.title));
    for (const entry of section.items) {
      const line = element("p");
      if (entry.label) {
        line.append(element("strong", "", entry.label), " ");
      }
      line.append(entry.text);
      item.append(line);
    }
    return item;
  }

  function articleItem(texts, article, opened) {
    const item = element("li", "card");
    const details = element("details");
    details.open = opened;
    const summary = element("summary", "card-title", article.title);
    summary.lang = article.lang || "";
    const content = element("div", "stack");
    content.lang = article.lang || "";
    content.append(element("p", "muted", article.summary));
    if (article.warningHtml) {
      const warning = element("aside", "warning-box");
      warning.setAttribute("role", "note");
      warning.setAttribute("aria-label", texts.seekCare);
      warning.lang = document.documentElement.lang;
      const heading = element("h3", "warning-box-title", texts.seekCare);
      const advice = element("div", "article-body");
      advice.lang = article.lang || "";
      advice.innerHTML = article.warningHtml; // sanitised on the server, as the article page
      warning.append(heading, advice);
      content.append(warning);
    }
    const body = element("div", "article-body");
    body.innerHTML = article.html; // sanitised on the server (services/guidance.render_markdown)
    content.append(body);
    details.append(summary, content);
    item.append(details);
    return item;
  }

  /* ---- articles kept on this device ---- */

  async function keptArticles() {
    if (!("caches" in window)) {
      return [];
    }
    const found = [];
    for (const name of [SAVED_ARTICLES, READ_ARTICLES]) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        try {
          found.push(await (await cache.match(request)).json());
        } catch (error) {
          // a damaged entry: skip it
        }
      }
    }
    return found;
  }

  async function isSaved(path) {
    return "caches" in window && !!(await (await caches.open(SAVED_ARTICLES)).match(path));
  }

  /* "Spara för att läsa utan nät" on an article page: a toggle (aria-pressed). */
  async function toggleSaved(button) {
    const place = button.closest("[data-offline-article]");
    const path = place.dataset.offlineArticle;
    const status = place.querySelector("[data-offline-article-status]");
    if (!("caches" in window)) {
      status.textContent = place.dataset.textUnsupported;
      return;
    }
    const cache = await caches.open(SAVED_ARTICLES);
    if (await cache.match(path)) {
      await cache.delete(path);
      button.setAttribute("aria-pressed", "false");
      status.textContent = place.dataset.textRemoved;
      return;
    }
    try {
      await cache.add(path);
      const keys = await cache.keys();
      await Promise.all(
        keys.slice(0, Math.max(0, keys.length - SAVED_ARTICLES_KEPT)).map((key) => cache.delete(key)),
      );
      button.setAttribute("aria-pressed", "true");
      status.textContent = place.dataset.textSaved;
    } catch (error) {
      status.textContent = place.dataset.textFailed;
    }
  }

  /* Each article page opened here is fetched once as JSON, which the worker keeps; the
   * button shows whether it is saved. Reflex changes pages without a load: watched. */
  function watchArticlePages() {
    let shown = "";
    async function look() {
      const place = document.querySelector("[data-offline-article]");
      const path = place ? place.dataset.offlineArticle : "";
      if (!path || path === shown) {
        return;
      }
      shown = path;
      const button = place.querySelector("[data-keep-article]");
      button.setAttribute("aria-pressed", String(await isSaved(path)));
      const keep = () => fetch(path, { credentials: "same-origin" }).catch(() => undefined);
      if (!navigator.onLine || !("serviceWorker" in navigator)) {
        return;
      }
      if (navigator.serviceWorker.controller) {
        keep();
      } else {
        // A first visit: the worker keeps only what passes through it, once it controls.
        navigator.serviceWorker.addEventListener("controllerchange", keep, { once: true });
      }
    }
    new MutationObserver(() => look().catch(() => undefined)).observe(document.body, {
      childList: true,
      subtree: true,
    });
    document.addEventListener("click", (event) => {
      const button = event.target.closest && event.target.closest("[data-keep-article]");
      if (button) {
        toggleSaved(button).catch(() => undefined);
      }
    });
    look().catch(() => undefined);
  }

  async function showPage(root) {
    const texts = JSON.parse(root.dataset.texts || "{}");
    const notices = document.querySelector("[data-offline-notices]");
    const noCopy = document.querySelector("[data-offline-no-copy]");
    const articles = document.querySelector("[data-offline-articles]");
    document.querySelector("[data-offline-retry]").addEventListener("click", () => location.reload());

    function notify(messages) {
      notices.replaceChildren(...messages.map((text) => element("p", "notice", text)));
    }

    async function renderArticles() {
      const byPath = new Map();
      const copy = await readCopy();
      for (const article of [...(await keptArticles()), ...((copy && copy.guidance) || [])]) {
        byPath.set(article.path, byPath.get(article.path) || article);
      }
      // The article whose address failed to load comes first, opened.
      const asked = location.pathname.replace(/\/$/, "");
      const list = [...byPath.values()].sort(
        (a, b) => (b.path === asked) - (a.path === asked) || a.title.localeCompare(b.title),
      );
      fill(articles, "guidance", list, (article) => articleItem(texts, article, article.path === asked));
      articles.hidden = list.length === 0;
    }

    async function render() {
      const copy = await readCopy();
      if (!copy) {
        root.hidden = true;
        noCopy.hidden = false;
        return;
      }
      const waiting = new Map((await queued()).map((q) => [`${q.taskId}|${q.occurrenceAt}`, q]));
      root.querySelector("[data-updated]").textContent = copy.updatedLabel;
      fill(root, "times", copy.times, (time) => timeItem(texts, time));
      fill(root, "contacts", copy.contacts, (contact) => contactItem(texts, contact));
      fill(root, "tasks", copy.tasks, (task) => taskItem(texts, task, waiting, press));
      fill(root, "whatMatters", copy.whatMatters || [], whatMattersItem);
      root.hidden = false;
      noCopy.hidden = true;
    }

    async function afterSent(sent) {
      const messages = (await takeNotices()).map((notice) => notice.message);
      if (sent > 0 || messages.length > 0) {
        notify(messages.length ? messages : [texts.sent]);
        await render();
      }
    }

    async function sendNow() {
      try {
        await afterSent(await flush());
      } catch (error) {
        // still offline: the queue waits
      }
    }

    async function press(task, status) {
      await remember({
        key: newKey(),
        taskId: task.taskId,
        occurrenceAt: task.occurrenceAt,
        status,
        pressedAt: new Date().toISOString(),
      });
      await render();
      sendNow();
    }

    window.addEventListener("online", sendNow);
    whenTheWorkerSent(afterSent);
    await render();
    await renderArticles();
    sendNow();
  }

  /* Klar on Hem, and Klar or Hoppa över on a task's page, without a network: queued
   * here, the row says it waits, Reflex never sees the tap. Back online, the queue is
   * sent and the page reloads to show it. */
  function takeTapsWhileOffline() {
    document.addEventListener(
      "click",
      (event) => {
        const button = event.target.closest && event.target.closest("[data-check-off-task]");
        if (navigator.onLine || !button || button.getAttribute("aria-checked") === "true") {
          return; // online, or an undo: Reflex's own event as always
        }
        event.stopPropagation(); // before React's listener on the app's root
        event.preventDefault();
        if (button.parentElement.querySelector("[data-queued='true']")) {
          return; // this one, or its other choice (Klar, Hoppa över), already waits
        }
        button.dataset.queued = "true";
        remember({
          key: newKey(),
          taskId: Number(button.dataset.checkOffTask),
          occurrenceAt: button.dataset.checkOffAt,
          status: button.dataset.checkOffStatus || "done",
          pressedAt: new Date().toISOString(),
        }).then(() => {
          const note = button.parentElement.querySelector("[data-queued-note]");
          if (note) {
            note.hidden = false;
          }
        });
      },
      true,
    );
  }

  /* What the server said of check-offs it could not take, kept in IndexedDB (by this
   * page or by the worker's Background Sync): shown in the page's
   * [data-offline-notices] (components/layout.offline_notices). The page's answers to
   * "sent" (its own, the network's return, the worker's message) take turns, so a page
   * never takes a notice while it decides to load anew, and one that leaves puts back
   * what it showed. */
  let noticesTurn = Promise.resolve();
  let leaving = false;
  const shownHere = [];

  function inTurn(work) {
    noticesTurn = noticesTurn.then(work).catch(() => undefined);
    return noticesTurn;
  }

  /* Reflex has run this page's on_load (#nara-browser[data-hydrated], as the browser
   * tests wait for) and its "Hämtar…" placeholders are gone: a node added before React
   * has taken over the page would be thrown away with the server's HTML. */
  function pageSettled() {
    const shell = document.getElementById("nara-browser");
    const trim = (path) => (path.length > 1 ? path.replace(/\/+$/, "") : path);
    const hydrated = shell && trim(shell.dataset.hydrated || "") === trim(location.pathname);
    return hydrated && document.readyState === "complete" && !document.querySelector("main .loading");
  }

  async function untilSettled() {
    for (let tries = 0; tries < 100 && !pageSettled(); tries += 1) {
      await new Promise((resolve) => window.setTimeout(resolve, 300));
    }
  }

  async function showNotices() {
    await untilSettled();
    const place = document.querySelector("[data-offline-notices]");
    if (!place || leaving) {
      return;
    }
    const notices = await takeNotices();
    place.append(...notices.map((notice) => element("p", "notice", notice.message)));
    shownHere.push(...notices.map((notice) => notice.key));
  }

  /* Check-offs were sent (here or by the worker): the rows this page showed as waiting
   * are saved now, so the page loads again to show them; the notices come after. */
  function afterSent(sent) {
    return inTurn(async () => {
      if (leaving) {
        return;
      }
      if (sent > 0 && document.querySelector("[data-check-off-task][data-queued='true']")) {
        leaving = true;
        await unsayNotices(shownHere);
        window.location.reload();
        return;
      }
      await showNotices();
    });
  }

  function sendQueued() {
    return flush().then(afterSent, () => afterSent(0));
  }

  window.naraOffline = {
    flush,
    turnedOn() {
      localStorage.setItem(FLAG, "on");
      return refreshCopy();
    },
    async turnedOff() {
      localStorage.removeItem(FLAG);
      if ("caches" in window) {
        await caches.delete(PERSONAL_CACHE);
      }
    },
  };

  function start() {
    const root = document.querySelector("[data-offline-copy]");
    if (root) {
      showPage(root).catch(() => undefined);
      return;
    }
    takeTapsWhileOffline();
    watchArticlePages();
    window.addEventListener("online", () => sendQueued().catch(() => undefined));
    whenTheWorkerSent(afterSent);
    sendQueued().catch(() => undefined);
    refreshCopy().catch(() => undefined);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
