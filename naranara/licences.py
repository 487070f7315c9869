"""Every dependency's licence, checked against what Nära (EUPL-1.2) may ship with.

``python -m naranara.licences`` (or ``make licences``) lists each installed
distribution Nära needs, its test tools included, with the licence its metadata
declares (PEP 639 ``License-Expression``, else the ``License`` field, else the trove
classifier), and fails on any licence outside ``ALLOWED``. A new dependency with
another licence needs a decision, written here, before it is merged.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Permissive licences, and the weak-copyleft ones the EUPL names as compatible (MPL-2.0,
# LGPL): the libraries stay separate works that Nära imports, unmodified.
ALLOWED = frozenset(
    {
        "0BSD",
        "Apache-2.0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSD",  # "License :: OSI Approved :: BSD License" without saying which clauses
        "ISC",
        "LGPL-2.1-or-later",
        "LGPL-3.0-only",
        "LGPL-3.0-or-later",
        "MIT",
        "MIT-0",
        "MIT-CMU",
        "MPL-2.0",
        "PSF-2.0",
        "Repoze",  # supervisor: BSD-style, http://www.repoze.org/LICENSE.txt
        "Unlicense",
        "Zlib",
    }
)

# What packages write in free text or classifiers, as SPDX identifiers.
_ALIASES = {
    "apache 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "bsd license": "BSD",
    "bsd": "BSD",
    "mit license": "MIT",
    "psfl": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "isc license (iscl)": "ISC",
    "the unlicense (unlicense)": "Unlicense",
}
# Distributions whose metadata names a licence family without its version, with the
# licence their own COPYING file states.
_STATED_IN_COPYING = {
    "python-stdnum": "LGPL-2.1-or-later",  # metadata says "LGPL"
}


@dataclass(frozen=True)
class Found:
    name: str
    version: str
    licence: str  # an SPDX expression as found ("Apache-2.0 OR BSD-3-Clause")

    @property
    def allowed(self) -> bool:
        """``A OR B``: either will do; ``A AND B``: both must be allowed."""
        alternatives = re.split(r"\s+OR\s+", self.licence.strip("() "))
        return any(
            all(part.strip("() ") in ALLOWED for part in re.split(r"\s+AND\s+", alternative))
            for alternative in alternatives
        )


def _spdx(text: str) -> str:
    text = text.strip()
    if text.lower() in _ALIASES:
        return _ALIASES[text.lower()]
    if text.lower().startswith("bsd-derived") and "repoze.org" in text:
        return "Repoze"
    if "permission is hereby granted, free of charge" in text.lower():
        return "MIT"  # the MIT licence's text pasted into the field
    return text


def licence_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    if stated := _STATED_IN_COPYING.get(canonicalize_name(meta["Name"])):
        return stated
    if expression := meta.get("License-Expression"):
        return expression.strip()
    if (text := meta.get("License") or "").strip() and text.strip().upper() != "UNKNOWN":
        return _spdx(text)
    classifiers = [
        line.split(" :: ")[-1]
        for line in meta.get_all("Classifier") or []
        if line.startswith("License :: ")
    ]
    return " OR ".join(_spdx(c) for c in classifiers) or "unknown"


def dependencies(root: str = "naranara", extras: tuple[str, ...] = ("test",)) -> list[Found]:
    """Every installed distribution ``root`` needs (with ``extras``), but not ``root``."""
    found: dict[str, metadata.Distribution] = {}

    def visit(name: str, wanted: tuple[str, ...]) -> None:
        dist = metadata.distribution(name)
        key = canonicalize_name(dist.metadata["Name"])
        if key in found:
            return
        found[key] = dist
        for raw in dist.requires or []:
            requirement = Requirement(raw)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in (*wanted, "")):
                visit(requirement.name, tuple(requirement.extras))

    visit(root, extras)
    found.pop(canonicalize_name(root))
    return [
        Found(name=dist.metadata["Name"], version=dist.version, licence=licence_of(dist))
        for _, dist in sorted(found.items())
    ]


def main() -> int:
    found = dependencies()
    width = max(len(item.name) for item in found)
    for item in found:
        mark = "" if item.allowed else "   <-- not on the allow-list"
        print(f"{item.name:<{width}}  {item.version:<12} {item.licence}{mark}")
    refused = [item.name for item in found if not item.allowed]
    print(f"\n{len(found)} dependencies; {len(refused)} outside the allow-list {refused or ''}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
