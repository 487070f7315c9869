"""``naranara import-fhir``: a region's bundle from a file, all or nothing, idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from naranara.cli import main
from naranara.db import session_scope
from naranara.models import AgreedTime, CareContact, Role
from tests.unit.test_fhir import _appointment, _bundle, _care_team
from tests.utils.factories import make_user

pytestmark = pytest.mark.usefixtures("migrated")


def run(*args: str, lang: str = "C") -> Result:
    env = {"LANG": lang, "LC_ALL": "", "LC_MESSAGES": ""}
    return CliRunner().invoke(main, ["import-fhir", *args], env=env)


def _file(tmp_path: Path, content: object) -> str:
    path = tmp_path / "bundle.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def _rows() -> tuple[int, int]:
    with session_scope() as db:
        return len(db.exec(select(AgreedTime)).all()), len(db.exec(select(CareContact)).all())


def test_imports_a_bundle_then_a_second_time_changes_nothing(tmp_path: Path) -> None:
    with session_scope() as db:
        make_user(db, username="anna")
    patient = {"resourceType": "Patient"}
    path = _file(tmp_path, _bundle(patient, _appointment(), _care_team()))
    first = run(path, "--resident", "anna")
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "Agreed times: 1 added, 0 updated, 0 unchanged.",
        "Care contacts: 2 added, 0 updated, 0 unchanged.",
        "Entry 1 skipped: Patient is not imported.",
    ]
    again = run(path, "--resident", "anna", lang="sv_SE.UTF-8")
    assert again.exit_code == 0, again.output
    assert "Överenskomna tider: 0 nya, 0 ändrade, 1 oförändrade." in again.output
    assert _rows() == (1, 2)


def test_an_invalid_bundle_exits_1_with_every_problem_and_imports_nothing(tmp_path: Path) -> None:
    with session_scope() as db:
        make_user(db, username="anna")
    bad = _bundle(_appointment(), _appointment("RVN-2", status="maybe"), {"resourceType": "X"})
    result = run(_file(tmp_path, bad), "--resident", "anna")
    assert result.exit_code == 1
    assert "Nothing was imported:" in result.output
    assert "Entry 2: “maybe” is not an appointment status." in result.output
    assert "Entry 3: “X” is not a FHIR resource type." in result.output
    assert _rows() == (0, 0)


def test_no_json_or_no_such_resident_is_refused(tmp_path: Path) -> None:
    with session_scope() as db:
        make_user(db, username="anna")
        make_user(db, username="sara", role=Role.STAFF)
    not_json = run(_file(tmp_path, "{not json"), "--resident", "anna")
    assert not_json.exit_code == 1 and "The file is not JSON" in not_json.output
    good = _file(tmp_path, _bundle(_appointment()))
    for username in ("nobody", "sara"):
        result = run(good, "--resident", username)
        assert result.exit_code == 1
        assert f"There is no resident with the username '{username}'." in result.output
    assert _rows() == (0, 0)
