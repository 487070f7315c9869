"""The patches naranara/frontend_plugins.py makes to Reflex's installed runtime."""

from __future__ import annotations

from pathlib import Path

import pytest
import reflex_base

from naranara.frontend_plugins import (
    BANNER_BUTTON,
    BANNER_TEXT,
    FrontendPatchError,
    NaraFrontendPlugin,
    low_priority_module_preloads,
    patch_state_js,
)

TEMPLATE = Path(reflex_base.__file__).parent / ".templates" / "web" / "utils" / "state.js"


def test_the_installed_runtime_is_patched_once() -> None:
    original = TEMPLATE.read_text()
    patched = patch_state_js(original)
    assert patch_state_js(patched) == patched
    assert patched.count("endpoint.host = window.location.host;") == 1
    assert BANNER_TEXT in patched and BANNER_BUTTON in patched
    assert "A new version of this app is available." in original
    assert "A new version of this app is available." not in patched
    assert '"Reload"' not in patched
    assert "min-height:44px" in patched
    # Everything else of Reflex's runtime is untouched.
    assert len(patched) - len(original) < 2000


def test_a_moved_anchor_stops_the_build_with_a_reason() -> None:
    without_anchor = TEMPLATE.read_text().replace("const endpoint = new URL(url_str);", "")
    with pytest.raises(FrontendPatchError, match="Did a Reflex upgrade change its runtime"):
        patch_state_js(without_anchor)


def test_the_plugin_is_registered_in_rxconfig() -> None:
    from reflex_base.config import get_config

    assert any(isinstance(plugin, NaraFrontendPlugin) for plugin in get_config().plugins)
    tasks: list[tuple] = []
    NaraFrontendPlugin().pre_compile(add_modify_task=lambda *args: tasks.append(args))
    assert tasks == [("utils/state.js", patch_state_js)]


def test_module_preloads_wait_for_the_stylesheet() -> None:
    page = (
        '<link rel="stylesheet" href="/assets/a.css"/>'
        '<link rel="modulepreload" href="/assets/entry.client-x.js"/>'
        '<link rel="modulepreload" href="/assets/root-y.js"/>'
    )
    lowered = low_priority_module_preloads(page)
    assert lowered.count('<link rel="modulepreload" fetchpriority="low" href=') == 2
    assert '<link rel="stylesheet" href="/assets/a.css"/>' in lowered
    assert low_priority_module_preloads(lowered) == lowered
