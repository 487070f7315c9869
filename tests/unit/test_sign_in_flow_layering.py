"""The password sign-in and the identity providers' sign-in share naranara/http/sign_in_flow.py
and import neither each other, not even inside a function (issue 17: a hidden cycle)."""

from __future__ import annotations

import ast

import pytest

from naranara.settings import PROJECT_ROOT

HTTP = PROJECT_ROOT / "naranara" / "http"


def _imported_modules(name: str) -> set[str]:
    tree = ast.parse((HTTP / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):  # every import, at any depth
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize(
    ("module", "other"), [("auth_routes", "oidc_routes"), ("oidc_routes", "auth_routes")]
)
def test_neither_sign_in_imports_the_other(module: str, other: str) -> None:
    imported = _imported_modules(module)
    assert f"naranara.http.{other}" not in imported
    assert "naranara.http.sign_in_flow" in imported


def test_the_shared_helpers_import_neither() -> None:
    imported = _imported_modules("sign_in_flow")
    assert not {"naranara.http.auth_routes", "naranara.http.oidc_routes"} & imported


def test_states_take_url_helpers_from_routes_not_from_http() -> None:
    for name in ("login", "agreed_times", "relatives"):
        text = (PROJECT_ROOT / "naranara" / "states" / f"{name}.py").read_text(encoding="utf-8")
        assert "naranara.http.auth_routes" not in text, name
