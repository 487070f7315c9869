/* The few things the app asks the browser to do, each by name: no JavaScript is ever
 * sent as text to be evaluated, so the Content-Security-Policy needs no 'unsafe-eval'
 * (naranara/components/browser.py; tests/unit/test_no_eval.py).
 *
 * Pages call these straight from an event trigger (components/browser.in_browser):
 * Reflex calls a compiled function without eval. The server asks for them through one
 * state variable (components/browser.run_in_browser), rendered as the data-command
 * attribute of #nara-browser in every page's shell; this script watches that attribute,
 * and its data-language, which <html lang> follows.
 */
(() => {
  // Each command the server sends carries a random id; ids already done in this tab
  // (a reload sends the last command again) are kept in sessionStorage and skipped.
  const DONE = "nara-browser-done";

  function isAppPath(target) {
    // Only a path of this site: never "//host", a scheme, a backslash or a control character.
    return (
      typeof target === "string" &&
      /^\/(?![/\\])[^\\\s]*$/.test(target) &&
      new URL(target, window.location.href).origin === window.location.origin
    );
  }

  function waitForPush() {
    return window.naraPush
      ? Promise.resolve(window.naraPush)
      : new Promise((resolve) =>
          window.addEventListener("nara-push-ready", () => resolve(window.naraPush), {
            once: true,
          }),
        );
  }

  const functions = {
    focus(id) {
      document.getElementById(id)?.focus();
    },
    print() {
      window.print();
    },
    submitForm(id) {
      // Reflex's forms stop the browser's own submit; this hands it back to the browser.
      document.getElementById(id)?.submit();
    },
    fullPageLoad(target) {
      // A full page load, so the new socket carries the new session cookie.
      if (isAppPath(target)) {
        window.location.assign(target);
      }
    },
    documentLanguage(locale) {
      if (/^[a-z]{2}(-[A-Za-z]{2,8})?$/.test(locale)) {
        document.documentElement.lang = locale;
      }
    },
    signOut(action) {
      // Forget this tab's Reflex state, sign out, and go on to the identity provider's
      // sign-out when the server names one.
      if (!isAppPath(action)) {
        return;
      }
      sessionStorage.removeItem("token");
      fetch(action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((r) => ((r.headers.get("content-type") || "").includes("json") ? r.json() : {}))
        .then(
          (d) => window.location.assign(d.end_session_url || "/"),
          () => window.location.assign("/"),
        );
    },
    pushStatus() {
      return waitForPush().then((push) => push.status());
    },
    pushEnable() {
      return window.naraPush ? window.naraPush.enable() : "unsupported";
    },
    offlineCopy(choice) {
      // Profil's "Spara på den här telefonen": fetch the copy now, or forget it here.
      if (!window.naraOffline) {
        return;
      }
      if (choice === "on") {
        window.naraOffline.turnedOn();
      } else if (choice === "off") {
        window.naraOffline.turnedOff();
      }
    },
  };

  function done() {
    try {
      return JSON.parse(sessionStorage.getItem(DONE) || "[]");
    } catch (error) {
      return [];
    }
  }

  function runCommand(text) {
    let command;
    try {
      command = JSON.parse(text);
    } catch (error) {
      return;
    }
    if (!command || typeof command.id !== "string" || !Object.hasOwn(functions, command.name)) {
      return;
    }
    const seen = done();
    if (seen.includes(command.id)) {
      return;
    }
    sessionStorage.setItem(DONE, JSON.stringify([...seen, command.id].slice(-20)));
    functions[command.name](...(Array.isArray(command.args) ? command.args : []));
  }

  function watch() {
    new MutationObserver((changes) => {
      for (const change of changes) {
        const target = change.target;
        if (target.id !== "nara-browser") {
          continue;
        }
        if (change.attributeName === "data-language" && target.dataset.language) {
          functions.documentLanguage(target.dataset.language);
        } else if (change.attributeName === "data-command" && target.dataset.command) {
          runCommand(target.dataset.command);
        }
      }
    }).observe(document.documentElement, {
      subtree: true,
      attributes: true,
      attributeFilter: ["data-command", "data-language"],
    });
  }

  window.naraBrowser = functions;
  watch();
})();
