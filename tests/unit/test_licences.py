"""Nära is EUPL-1.2; every dependency's licence is on the allow-list; installs are locked."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from packaging.utils import canonicalize_name

from naranara import licences
from naranara.settings import PROJECT_ROOT


def test_the_project_is_eupl() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "EUPL-1.2"
    text = (PROJECT_ROOT / "LICENSE").read_text()
    assert text.startswith(
        "EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016"
    )
    assert "‘Compatible Licences’ according to Article 5 EUPL are:" in text
    assert metadata.metadata("naranara").get("License-Expression") == "EUPL-1.2"


def test_every_dependency_has_an_allowed_licence() -> None:
    found = licences.dependencies()
    assert len(found) > 50  # the walk found the tree, not just the direct requirements
    refused = [f"{item.name} {item.version}: {item.licence}" for item in found if not item.allowed]
    assert refused == [], "licences outside naranara/licences.py ALLOWED"


@pytest.mark.parametrize(
    ("expression", "allowed"),
    [
        ("MIT", True),
        ("Apache-2.0 OR BSD-3-Clause", True),
        ("Apache-2.0 AND MIT", True),
        ("GPL-3.0-only", False),
        ("AGPL-3.0-or-later", False),
        ("MIT AND GPL-2.0-only", False),
        ("GPL-2.0-only OR MIT", True),
        ("unknown", False),
        ("LicenseRef-Proprietary", False),
    ],
)
def test_licence_expressions(expression: str, allowed: bool) -> None:
    assert licences.Found("x", "1", expression).allowed is allowed


def _locked() -> dict[str, str]:
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\$", text, re.M))
    blocks = re.split(r"\n(?=[A-Za-z0-9._-]+==)", text)
    for block in blocks[1:]:
        assert "--hash=sha256:" in block, f"no hash for {block.splitlines()[0]}"
    return {canonicalize_name(name): version for name, version in pins.items()}


def test_the_installed_versions_are_the_locked_ones() -> None:
    """`make setup` installs requirements.lock: what runs is what the tests passed with."""
    locked = _locked()
    installed = {canonicalize_name(item.name): item.version for item in licences.dependencies()}
    assert installed == locked, {
        "installed but not locked, or another version": {
            name: version for name, version in installed.items() if locked.get(name) != version
        },
        "locked but not needed": sorted(set(locked) - set(installed)),
    }


def test_every_requirement_of_pyproject_is_locked() -> None:
    """A dependency added to pyproject.toml without `make lock` would never be installed."""
    from packaging.requirements import Requirement

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    locked = _locked()
    unlocked = []
    for raw in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(raw)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            unlocked.append(f"{raw} (locked: {version})")
    assert unlocked == [], "run `make lock` after changing pyproject.toml"
