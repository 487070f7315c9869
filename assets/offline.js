/* Nära without signal, in the page: loaded on every page and by the offline page.
 *
 * - Keeps this device's offline copy fresh: when the resident turned it on here
 *   (Profil → Spara på den här telefonen), each app open fetches /utan-nat/kopia;
 *   the service worker keeps the answer (assets/sw.js).
 * - Queues check-offs made on the offline page, and taps on Klar on Hem while the phone
 *   is offline (Reflex would keep those in the tab's memory only, gone when it closes,
 *   with no word to the person), in IndexedDB, each with a random key,
 *   and sends the queue to POST /utan-nat/avbockningar when the browser is online
 *   (at once, on the "online" event, and on every app open). The server takes each
 *   key once, so sending again after a lost answer never counts twice.
 * - On the offline page (/utan-nat, or any address the worker answered with it),
 *   shows the kept copy: agreed times, contacts with tel: links, today's and
 *   tomorrow's tasks with buttons, what matters to the resident, articles read. Text is set with textContent; the
 *   articles' HTML is the server's sanitised rendering, as on the article page.
 *
 * window.naraOffline.turnedOn() / turnedOff(): called by Profil after the choice.
 */
(() => {
  const COPY_PATH = "/utan-nat/kopia";
  const CHECK_OFFS_PATH = "/utan-nat/avbockningar";
  const PERSONAL_CACHE = "nara-personal";
  const FLAG = "nara-offline-copy"; // "on": this device keeps a copy
  const DB_NAME = "nara-offline";
  const STORE = "check-offs";
  const NOTICES = "nara-offline-notices"; // sessionStorage: messages to show after a reload

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  }

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const result = work(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(result && "result" in result ? result.result : result);
        transaction.onerror = () => reject(transaction.error);
      });
    } finally {
      db.close();
    }
  }

  const queued = () => withStore("readonly", (store) => store.getAll());
  const enqueue = (item) => withStore("readwrite", (store) => store.put(item));
  const drop = (keys) =>
    withStore("readwrite", (store) => keys.forEach((key) => store.delete(key)));

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  let flushing = null;

  /* Send what waits; resolves to the server's messages for what it could not take. */
  function flush() {
    flushing = flushing || send().finally(() => { flushing = null; });
    return flushing;
  }

  async function send() {
    if (!navigator.onLine) {
      return { sent: 0, messages: [] };
    }
    const items = (await queued()).slice(0, 50);
    if (items.length === 0) {
      return { sent: 0, messages: [] };
    }
    const response = await fetch(CHECK_OFFS_PATH, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ checkOffs: items }),
    });
    if (!response.ok) {
      return { sent: 0, messages: [] }; // signed out or a server error: keep the queue
    }
    const { results } = await response.json();
    const answered = results.map((result) => result.key).filter(Boolean);
    await drop(answered);
    const messages = results
      .filter((result) => result.outcome !== "recorded" && result.message)
      .map((result) => result.message);
    return { sent: answered.length, messages };
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

  function articleItem(article) {
    const item = element("li", "card");
    const details = element("details");
    const summary = element("summary", "card-title", article.title);
    const body = element("div", "article-body");
    body.innerHTML = article.html; // sanitised on the server (services/guidance.render_markdown)
    details.append(summary, element("p", "muted", article.summary), body);
    item.append(details);
    return item;
  }

  async function showPage(root) {
    const texts = JSON.parse(root.dataset.texts || "{}");
    const notices = document.querySelector("[data-offline-notices]");
    const noCopy = document.querySelector("[data-offline-no-copy]");
    document.querySelector("[data-offline-retry]").addEventListener("click", () => location.reload());

    function notify(messages) {
      notices.replaceChildren(...messages.map((text) => element("p", "notice", text)));
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
      fill(root, "guidance", copy.guidance, articleItem);
      root.hidden = false;
      noCopy.hidden = true;
    }

    async function sendNow() {
      try {
        const { sent, messages } = await flush();
        if (sent > 0) {
          notify([...(messages.length ? messages : [texts.sent])]);
          await render();
        }
      } catch (error) {
        // still offline: the queue waits
      }
    }

    async function press(task, status) {
      await enqueue({
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
    await render();
    sendNow();
  }

  /* Klar on Hem without a network: queued here, the row says it waits, Reflex never
   * sees the tap. Back online, the queue is sent and the page reloads to show it. */
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
        if (button.dataset.queued === "true") {
          return;
        }
        button.dataset.queued = "true";
        enqueue({
          key: newKey(),
          taskId: Number(button.dataset.checkOffTask),
          occurrenceAt: button.dataset.checkOffAt,
          status: "done",
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

  /* What the server said of check-offs it could not take: shown in the page's
   * [data-offline-notices] (components/layout.offline_notices), across the reload. */
  function showNotices(triesLeft = 100) {
    const kept = sessionStorage.getItem(NOTICES);
    const place = document.querySelector("[data-offline-notices]");
    if (!kept || !place) {
      return;
    }
    // Only once React has taken over the page (its "Hämtar…" placeholders gone): a node
    // added before would not match what React expects to find.
    const settled = document.readyState === "complete" && !document.querySelector("main .loading");
    if (!settled && triesLeft > 0) {
      window.setTimeout(() => showNotices(triesLeft - 1), 300);
      return;
    }
    sessionStorage.removeItem(NOTICES);
    place.replaceChildren(...JSON.parse(kept).map((text) => element("p", "notice", text)));
  }

  async function sendQueued() {
    const { sent, messages } = await flush();
    if (messages.length > 0) {
      sessionStorage.setItem(NOTICES, JSON.stringify(messages));
    }
    if (sent > 0 && document.querySelector("[data-check-off-task][data-queued='true']")) {
      window.location.reload(); // the rows this page showed as waiting are saved now
      return;
    }
    showNotices();
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
    showNotices();
    window.addEventListener("online", () => sendQueued().catch(() => undefined));
    sendQueued().catch(() => undefined);
    refreshCopy().catch(() => undefined);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
