"""A Reflex plugin that adjusts Reflex's own frontend runtime (``.web/utils/state.js``).

Two things the runtime does that Nära does differently, patched in at every compile
through the plugin API (``pre_compile`` → ``add_modify_task``):

- **One build for every port.** Reflex writes the backend's address into ``env.json``
  at build time (``ws://localhost:3000/_event``) and the browser only swaps the host
  name, so a bundle built for port 3000 talks to port 3000 whatever served it, and
  ``naranara serve`` had to rebuild for each port. Nära always serves pages and backend
  from one origin, so the runtime takes scheme, host and port from ``window.location``:
  one build serves any port, and ``make run`` and the browser tests no longer rebuild
  each other's bundle.
- **The "new version" banner in Swedish.** When the backend was built for another state
  tree than the page (an upgrade while a tab is open), Reflex shows an English banner
  "A new version of this app is available." with a small "Reload" button. Ours says it
  in Swedish with a 44 px button, in the app's colours.

And after the build (``post_build``, before Reflex writes the .br and .gz copies), for a
phone's first visit:

- **The page paints before the modules arrive.** React Router puts a high-priority
  ``modulepreload`` for every module of the route in each prerendered page; at high
  priority they compete with the stylesheet for a slow connection, and Lighthouse's
  phone simulation counts them as blocking the first paint. At low priority the
  prerendered heading and text are painted first; the modules still load at once.
- **Hand-written scripts minified.** ``assets/*.js`` (the service worker, the offline
  queue, the browser checks) are served as written, comments and all; they are
  minified with the minifier Vite itself uses (rolldown's), from the build's own
  ``node_modules``.

Reflex is pinned (pyproject.toml); each patch checks that its anchor text is there and
stops the build with a clear error if a Reflex upgrade moved it
(``tests/unit/test_frontend_plugins.py`` patches the installed template).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from reflex_base.plugins.base import Plugin

STATE_JS = "utils/state.js"
_MARK = "/* nara: frontend_plugins */"

# getBackendURL(): after the URL is parsed, an address of the build machine
# ("localhost", as env.json has it) becomes the page's own origin.
_ORIGIN_ANCHOR = "  const endpoint = new URL(url_str);\n"
_ORIGIN_PATCH = """  const endpoint = new URL(url_str);
  /* nara: frontend_plugins */
  // Pages and backend share one origin: scheme, host and port come from the page,
  // so one build serves any port (naranara/frontend_plugins.py).
  if (
    typeof window !== "undefined" &&
    SAME_DOMAIN_HOSTNAMES.includes(endpoint.hostname)
  ) {
    const secure = window.location.protocol === "https:";
    if (endpoint.protocol === "ws:" || endpoint.protocol === "wss:") {
      endpoint.protocol = secure ? "wss:" : "ws:";
    } else {
      endpoint.protocol = window.location.protocol;
    }
    endpoint.host = window.location.host;
    return endpoint;
  }
"""

# What the new-version banner says, and its button (Swedish first: html lang="sv").
BANNER_TEXT = "Det finns en ny version av Nära."
BANNER_BUTTON = "Ladda om sidan"

_BANNER_START = "const showNewVersionBanner = () => {\n"
_BANNER_END = "  document.body.append(banner);\n};\n"


def _banner_function() -> str:
    text = json.dumps(BANNER_TEXT, ensure_ascii=False)
    button = json.dumps(BANNER_BUTTON, ensure_ascii=False)
    return f"""const showNewVersionBanner = () => {{
  /* nara: frontend_plugins */
  if (document.getElementById(NEW_VERSION_BANNER_ID)) {{
    return;
  }}
  const banner = document.createElement("div");
  banner.id = NEW_VERSION_BANNER_ID;
  banner.setAttribute("role", "alert");
  banner.setAttribute("lang", "sv");
  banner.style.cssText =
    "position:fixed;top:0;left:0;right:0;z-index:2147483647;display:flex;" +
    "flex-wrap:wrap;justify-content:center;align-items:center;gap:0.75rem;" +
    "padding:0.75rem 1rem;background:#0a4543;color:#fff;" +
    "font:1.125rem/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;";
  const message = document.createElement("p");
  message.style.cssText = "margin:0;";
  message.textContent = {text};
  banner.append(message);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = {button};
  button.style.cssText =
    "min-height:44px;min-width:44px;padding:0.5rem 1.25rem;border:2px solid #fff;" +
    "border-radius:0.9rem;background:#fff;color:#0a4543;font:inherit;" +
    "font-weight:600;cursor:pointer;";
  button.onclick = reloadForNewVersion;
  banner.append(button);
  document.body.append(banner);
}};
"""


class FrontendPatchError(RuntimeError):
    """Reflex's runtime no longer has the text a patch expects (after a Reflex upgrade)."""


def _require(content: str, anchor: str, what: str) -> None:
    if content.count(anchor) != 1:
        msg = (
            f"naranara/frontend_plugins.py cannot {what}: {STATE_JS} no longer has "
            f"exactly one {anchor.strip()!r}. Did a Reflex upgrade change its runtime?"
        )
        raise FrontendPatchError(msg)


def patch_state_js(content: str) -> str:
    """Reflex's ``state.js`` with both patches (idempotent: a patched file is returned)."""
    if _MARK in content:
        return content
    _require(content, _ORIGIN_ANCHOR, "serve the backend from the page's origin")
    _require(content, _BANNER_START, "replace the new-version banner")
    content = content.replace(_ORIGIN_ANCHOR, _ORIGIN_PATCH, 1)
    start = content.index(_BANNER_START)
    end = content.find(_BANNER_END, start)
    if end == -1:
        raise FrontendPatchError(
            f"naranara/frontend_plugins.py cannot find the end of showNewVersionBanner in {STATE_JS}"
        )
    return content[:start] + _banner_function() + content[end + len(_BANNER_END) :]


_MODULE_PRELOAD = '<link rel="modulepreload" '
_HIGH_PRIORITY_MODULE_PRELOAD = re.compile(re.escape(_MODULE_PRELOAD) + "(?!fetchpriority=)")


def low_priority_module_preloads(html: str) -> str:
    """A prerendered page whose module preloads wait for the stylesheet (idempotent)."""
    return _HIGH_PRIORITY_MODULE_PRELOAD.sub(_MODULE_PRELOAD + 'fetchpriority="low" ', html)


# Node, run in the build's directory so that ``rolldown`` is found in its node_modules;
# minifies each file named on the command line in place.
_MINIFY = """
import { minifySync } from "rolldown/utils";
import { readFileSync, writeFileSync } from "node:fs";
for (const file of process.argv.slice(1)) {
  // Classic scripts, not modules: their top-level names are globals and stay as they are.
  const result = minifySync(file, readFileSync(file, "utf8"), { module: false });
  if (result.errors.length) {
    console.error(file, result.errors);
    process.exit(1);
  }
  writeFileSync(file, result.code);
}
"""


def minify_scripts(files: list[Path], web_dir: Path) -> None:
    from reflex.utils import path_ops

    node = path_ops.get_node_path()
    if node is None:
        raise FrontendPatchError("naranara/frontend_plugins.py needs Node to minify assets/*.js")
    subprocess.run(
        [str(node), "--input-type=module", "-e", _MINIFY, *(str(file.resolve()) for file in files)],
        cwd=web_dir,
        check=True,
    )


def finish_static_build(static_dir: Path, web_dir: Path) -> None:
    """The built site, made lighter for a first visit (see the module's docstring)."""
    pages = sorted(static_dir.rglob("*.html"))
    index = static_dir / "index.html"
    if _MODULE_PRELOAD not in index.read_text():
        raise FrontendPatchError(
            f"naranara/frontend_plugins.py finds no {_MODULE_PRELOAD.strip()!r} in {index}: "
            "did a Reflex or React Router upgrade change the prerendered pages?"
        )
    for page in pages:
        page.write_text(low_priority_module_preloads(page.read_text()))
    # Vite's own output is under assets/ and minified; what lies beside it is copied as is.
    minify_scripts(sorted(static_dir.glob("*.js")), web_dir)


class NaraFrontendPlugin(Plugin):
    """Registered in rxconfig.py's ``plugins``."""

    def pre_compile(self, **context) -> None:  # noqa: ANN003 - Reflex's PreCompileContext
        add_modify_task: Callable[[str, Callable[[str], str]], None] = context["add_modify_task"]
        add_modify_task(STATE_JS, patch_state_js)

    def post_build(self, **context) -> None:  # noqa: ANN003 - Reflex's PostBuildContext
        from reflex.utils.prerequisites import get_web_dir

        finish_static_build(Path(context["static_dir"]), get_web_dir())
