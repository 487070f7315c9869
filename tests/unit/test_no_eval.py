"""No JavaScript as text: what would need 'unsafe-eval' in the Content-Security-Policy.

Reflex's ``rx.call_script`` (and ``run_script``, and ``call_function`` given a string)
sends JavaScript the page runs with ``eval``. The app asks the browser for things by
name instead (naranara/components/browser.py, assets/browser.js). This test reads every
Python file of naranara and our own scripts, and fails on a way back to eval.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from naranara.components import browser
from naranara.http.middleware import content_security_policy
from naranara.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "naranara"
_PYTHON = sorted(PACKAGE.rglob("*.py"))
_SCRIPTS = sorted((PROJECT_ROOT / "assets").glob("*.js"))
_EVAL_IN_JS = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|set(?:Timeout|Interval)\s*\(\s*[\"'`]")
# rx.call_script(…), reflex.event.run_script(…); and Python's own eval/exec by name
# (``session.exec`` is SQLModel's query, not Python's exec).
_FORBIDDEN_CALLS = {"call_script", "run_script"}
_FORBIDDEN_NAMES = {"eval", "exec"}


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                found.append((func.attr, node))
            elif isinstance(func, ast.Name):
                found.append((f"name:{func.id}", node))
    return found


def test_the_files_are_found() -> None:
    assert len(_PYTHON) > 50 and any(p.name == "browser.js" for p in _SCRIPTS)


@pytest.mark.parametrize("path", _PYTHON, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_no_python_sends_javascript_as_text(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name, call in _calls(tree):
        assert name not in _FORBIDDEN_CALLS, f"{path}:{call.lineno} {name}()"
        assert name.removeprefix("name:") not in _FORBIDDEN_NAMES or not name.startswith("name:"), (
            f"{path}:{call.lineno} {name}()"
        )
        if name.removeprefix("name:") == "call_function":
            # Only browser.in_browser calls it, with a compiled function (a Var).
            assert path == PACKAGE / "components" / "browser.py", f"{path}:{call.lineno}"
        if (
            name.removeprefix("name:") == "server_side"
            and call.args
            and isinstance(call.args[0], ast.Constant)
        ):
            assert call.args[0].value == "_call_function", f"{path}:{call.lineno}"
    for imported in ast.walk(tree):
        if isinstance(imported, ast.ImportFrom):
            names = {alias.name for alias in imported.names}
            assert not names & {"call_script", "run_script"}, f"{path}:{imported.lineno}"


@pytest.mark.parametrize("path", _SCRIPTS, ids=lambda p: p.name)
def test_no_script_of_ours_evaluates_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not _EVAL_IN_JS.search(text), path


def test_in_browser_compiles_to_a_function_not_a_string() -> None:
    spec = browser.in_browser("focus", "main")
    function = dict((str(k), v) for k, v in spec.args)["function"]
    # A JavaScript function expression, which Reflex calls directly (typeof "function").
    assert str(function) == '(() => window.naraBrowser.focus("main"))'


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("eval", ()),
        ("focus", ("x'); alert(1); ('",)),
        ("fullPageLoad", ("javascript:alert(1)",)),
        ("submitForm", ("a b",)),
        ("constructor", ()),
    ],
)
def test_only_named_functions_with_plain_arguments(name: str, args: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        browser.in_browser(name, *args)
    with pytest.raises(ValueError):
        browser.command(name, *args)


def test_every_named_function_exists_in_the_script() -> None:
    script = (PROJECT_ROOT / "assets" / "browser.js").read_text(encoding="utf-8")
    for name in browser.FUNCTIONS:
        assert re.search(rf"^\s+{name}\(", script, re.MULTILINE), name


def test_the_policy_allows_neither_eval_nor_inline_scripts() -> None:
    policy = content_security_policy(["'sha256-abc='"])
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert script_src == "script-src 'self' 'sha256-abc='"
    assert "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in script_src
