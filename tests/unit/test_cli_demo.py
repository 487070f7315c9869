"""``naranara seed`` and ``naranara demo-logins``: the demo's way in, Greta's included."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from naranara.cli import main
from naranara.db import session_scope
from naranara.services import enrolment

pytestmark = pytest.mark.usefixtures("migrated")


def test_demo_logins_print_a_fresh_activation_link_for_greta_each_time() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["seed"]).exit_code == 0
    first = runner.invoke(main, ["demo-logins", "--url", "http://localhost:4321"])
    assert first.exit_code == 0, first.output
    assert "alva   Alva Berg" in first.output and "password for all: nara-demo" in first.output
    codes = re.findall(r"http://localhost:4321/aktivera\?kod=([0-9A-Z]{12})", first.output)
    assert len(codes) == 1
    second = runner.invoke(main, ["demo-logins"])
    newer = re.findall(r"http://localhost:3000/aktivera\?kod=([0-9A-Z]{12})", second.output)
    assert newer and newer != codes
    with session_scope() as db:
        with pytest.raises(enrolment.ActivationRefused):  # the older one stopped working
            enrolment.find(session=db, code=codes[0])
        assert enrolment.find(session=db, code=newer[0]).resident_id
