"""Self-monitoring: Swedish numbers, sane ranges, thresholds and the CSV for Excel."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from naranara.inputs import InputInvalid
from naranara.models import Measurement, User
from naranara.services import measurements
from tests.utils.factories import make_task, make_user

pytestmark = pytest.mark.time_sensitive

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 13.00 in Stockholm


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


def form(value: str, **more: str) -> dict[str, str]:
    return {"date": "2026-03-10", "time": "08:15", "value": value, **more}


def log(db: Session, anna: User, kind: str, data: dict[str, str]) -> list[Measurement]:
    rows = measurements.record(
        session=db,
        resident_id=anna.id,
        kind=kind,
        form=data,
        recorded_by_id=anna.id,
        now=NOW,
        locale="sv",
    )
    db.commit()
    return rows


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("72,5", 72.5),
        ("72.5", 72.5),
        (" 72 ", 72.0),
        ("8 000", 8000.0),
        ("8\u00a0000", 8000.0),
        ("-3,25", -3.25),
        ("\u22123", -3.0),
        ("72,5,1", None),
        ("1e3", None),
        ("sjuttio", None),
        ("", None),
        ("nan", None),
        ("٧٢", None),
    ],
)
def test_numbers_are_read_as_swedes_write_them(text: str, value: float | None) -> None:
    assert measurements.parse_number(text) == value


def test_a_weight_with_a_decimal_comma_is_stored_at_the_local_time(db: Session, anna: User) -> None:
    [row] = log(db, anna, "weight", form("72,5"))
    assert (row.kind, row.value, row.unit) == ("weight", 72.5, "kg")
    assert row.measured_at == datetime(2026, 3, 10, 7, 15, tzinfo=UTC)
    assert row.recorded_by_id == anna.id
    assert measurements.value_text(row, "sv") == "72,5 kg"


def test_blood_pressure_with_a_pulse_is_two_values(db: Session, anna: User) -> None:
    rows = log(db, anna, "blood_pressure", form("135", value2="85", pulse="68"))
    assert [(r.kind, r.value, r.value2) for r in rows] == [
        ("blood_pressure", 135.0, 85.0),
        ("pulse", 68.0, None),
    ]
    assert measurements.value_text(rows[0], "sv") == "135/85 mmHg"
    assert measurements.value_text(rows[1], "sv") == "68 slag/min"
    assert log(db, anna, "blood_pressure", form("120", value2="80"))[0].value2 == 80.0


def refused(db: Session, anna: User, kind: str, data: dict[str, str]) -> dict[str, str]:
    with pytest.raises(InputInvalid) as caught:
        log(db, anna, kind, data)
    return caught.value.texts("sv")


@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        (
            "weight",
            form("725"),
            "value",
            "Värdet ser inte rätt ut. Skriv ett värde från 20 till 300.",
        ),
        ("weight", form("72,55"), "value", "Skriv ett tal, till exempel 90."),
        ("weight", form(""), "value", "Skriv ett värde."),
        (
            "blood_glucose",
            form("0,5"),
            "value",
            "Värdet ser inte rätt ut. Skriv ett värde från 1 till 35.",
        ),
        ("pulse", form("72,5"), "value", "Skriv ett heltal, till exempel 78."),
        (
            "steps",
            form("-5"),
            "value",
            "Värdet ser inte rätt ut. Skriv ett värde från 0 till 100\u00a0000.",
        ),
        ("mood", form("6"), "value", "Värdet ser inte rätt ut. Skriv ett värde från 1 till 5."),
        (
            "blood_pressure",
            form("120", value2="130"),
            "value2",
            "Det undre trycket ska vara lägre än det övre.",
        ),
        ("blood_pressure", form("120"), "value2", "Skriv ett värde."),
        (
            "blood_pressure",
            form("120", value2="80", pulse="400"),
            "pulse",
            "Värdet ser inte rätt ut. Skriv ett värde från 30 till 220.",
        ),
        ("custom", form("3", custom_name=" "), "custom_name", "Skriv vad du har mätt."),
        (
            "custom",
            form("3", custom_name="Mid\x00jemått"),
            "custom_name",
            "Texten har tecken som inte går att spara. Ta bort dem och försök igen.",
        ),
        ("custom", form("3", custom_name="m" * 61), "custom_name", "Skriv högst 60 tecken."),
        ("custom", form("3", custom_name="Puls", unit="u" * 21), "unit", "Skriv högst 20 tecken."),
        ("weight", {**form("72"), "time": "25:00"}, "measured_at", "Välj datum och tid."),
        (
            "weight",
            {**form("72"), "date": "2026-03-11"},
            "measured_at",
            "Tiden kan inte vara senare än nu.",
        ),
        (
            "weight",
            {**form("72"), "date": "2024-03-11"},
            "measured_at",
            "Välj en tid inom det senaste året.",
        ),
        ("height", form("180"), "kind", "Välj vad du har mätt."),
    ],
)
def test_values_outside_their_range_are_refused_in_plain_swedish(
    db: Session, anna: User, kind: str, data: dict[str, str], field: str, message: str
) -> None:
    assert refused(db, anna, kind, data)[field] == message
    assert measurements.series(session=db, resident_id=anna.id) == []


def test_a_custom_value_keeps_its_name_and_unit(db: Session, anna: User) -> None:
    [row] = log(db, anna, "custom", form("37,8", custom_name="Temperatur", unit="°C"))
    assert (row.custom_name, row.unit, row.value) == ("Temperatur", "°C", 37.8)
    assert measurements.kind_label(row.kind, row.custom_name, "sv") == "Temperatur"
    assert measurements.value_text(row, "sv") == "37,8 °C"


def test_mood_is_shown_with_its_words(db: Session, anna: User) -> None:
    [row] = log(db, anna, "mood", form("4"))
    assert measurements.value_text(row, "sv") == "4 – Bra"


def test_a_value_of_a_task_that_measures_it_is_linked_to_it(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Väg dig")
    task.measurement_kind = "weight"
    db.add(task)
    db.commit()
    assert log(db, anna, "weight", form("72"))[0].task_id == task.id
    assert log(db, anna, "blood_glucose", form("6,1"))[0].task_id is None


def test_series_are_the_residents_own_oldest_first(db: Session, anna: User) -> None:
    bo = make_user(db, username="bo")
    for day, value in ((9, "72"), (7, "71"), (8, "71,5")):
        log(db, anna, "weight", {**form(value), "date": f"2026-03-0{day}"})
    log(db, anna, "blood_glucose", form("6"))
    db.add(Measurement(resident_id=bo.id, kind="weight", value=90, unit="kg", measured_at=NOW))
    db.commit()
    found = measurements.series(session=db, resident_id=anna.id, kind="weight")
    assert [r.value for r in found] == [71.0, 71.5, 72.0]
    since = measurements.series(
        session=db, resident_id=anna.id, kind="weight", since=datetime(2026, 3, 8, tzinfo=UTC)
    )
    assert [r.value for r in since] == [71.5, 72.0]
    assert measurements.kinds_with_values(session=db, resident_id=anna.id) == [
        "weight",
        "blood_glucose",
    ]


# ---------------------------------------------------------------------------- thresholds


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("rule", "line", "days", "values", "expected"),
    [
        ("above", 140, None, [(days_ago(1), 150.0)], (150.0, 140)),
        ("above", 140, None, [(days_ago(1), 140.0)], None),
        ("below", 4, None, [(days_ago(0), 3.5)], (3.5, 4)),
        # More than 2 kg in 3 days: from 70.0 to 72.4 is a 2.4 kg rise.
        (
            "rise",
            2,
            3,
            [(days_ago(3), 70.0), (days_ago(2), 71.0), (days_ago(0), 72.4)],
            (72.4, 70.0),
        ),
        # Exactly 2 kg is not more than 2 kg.
        ("rise", 2, 3, [(days_ago(3), 70.0), (days_ago(0), 72.0)], None),
        # The low point was more than 3 days before the latest value: too slow to count.
        ("rise", 2, 3, [(days_ago(4), 70.0), (days_ago(2), 71.5), (days_ago(0), 72.4)], None),
        # A fall is no rise; the latest counts, not the highest.
        ("rise", 2, 3, [(days_ago(3), 70.0), (days_ago(1), 73.0), (days_ago(0), 71.0)], None),
        # A value older than a week says nothing about now.
        ("above", 140, None, [(days_ago(8), 180.0)], None),
        ("above", 140, None, [], None),
    ],
)
def test_thresholds_are_crossed_by_the_latest_value(
    rule: str, line: float, days: int | None, values: list, expected: tuple | None
) -> None:
    assert measurements.crossed(rule, line, days, values, NOW) == expected


def test_a_rise_in_weight_shows_the_articles_advice(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Väg dig")
    task.measurement_kind, task.threshold_rule = "weight", "rise"
    task.threshold_value, task.threshold_days = 2.0, 3
    task.threshold_advice = "Kontakta din vårdcentral om du ökat mer än 2 kg på 3 dagar."
    db.add(task)
    db.commit()
    for day, value in ((6, "70,8"), (7, "70,0"), (8, "71,1")):
        log(db, anna, "weight", {**form(value), "date": f"2026-03-0{day}"})
    assert measurements.alerts(session=db, resident_id=anna.id, now=NOW) == []
    log(db, anna, "weight", form("72,4"))
    [alert] = measurements.alerts(session=db, resident_id=anna.id, now=NOW)
    assert (alert.task_title, alert.kind, alert.latest, alert.compared_with) == (
        "Väg dig",
        "weight",
        72.4,
        70.0,
    )
    assert alert.advice.startswith("Kontakta")
    bo = make_user(db, username="bo")
    assert measurements.alerts(session=db, resident_id=bo.id, now=NOW) == []


def test_blood_pressure_thresholds_look_at_the_upper_pressure(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Mät blodtrycket")
    task.measurement_kind, task.threshold_rule, task.threshold_value = (
        "blood_pressure",
        "above",
        160,
    )
    task.threshold_advice = "Ring din vårdcentral."
    db.add(task)
    db.commit()
    log(db, anna, "blood_pressure", form("150", value2="95"))
    assert measurements.alerts(session=db, resident_id=anna.id, now=NOW) == []
    log(db, anna, "blood_pressure", {**form("165", value2="95"), "time": "09:00"})
    assert [a.latest for a in measurements.alerts(session=db, resident_id=anna.id, now=NOW)] == [
        165.0
    ]


# ---------------------------------------------------------------------------- CSV


def test_the_csv_is_for_excel_in_swedish(db: Session, anna: User) -> None:
    log(db, anna, "weight", form("72,5"))
    log(db, anna, "blood_pressure", {**form("135", value2="85"), "time": "09:00"})
    text = measurements.to_csv(measurements.series(session=db, resident_id=anna.id), "sv")
    lines = text.split("\r\n")
    assert lines[0] == "Datum;Tid;Vad;Värde;Undre tryck;Enhet"
    assert lines[1] == "2026-03-10;08:15;Vikt;72,5;;kg"
    assert lines[2] == "2026-03-10;09:00;Blodtryck;135;85;mmHg"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_the_csv_defuses_formulas_in_the_residents_own_names(
    db: Session, anna: User, start: str
) -> None:
    name = f'{start}HYPERLINK("http://evil.example";"klicka")'
    log(db, anna, "custom", form("3", custom_name=name, unit=f"{start}1+1"))
    text = measurements.to_csv(measurements.series(session=db, resident_id=anna.id), "sv")
    [header, row] = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert row[2] == "'" + name
    assert row[5] == f"'{start}1+1"
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_negative_numbers_stay_numbers_in_the_csv(db: Session, anna: User) -> None:
    log(db, anna, "custom", form("-3,5", custom_name="Temperatur ute", unit="°C"))
    text = measurements.to_csv(measurements.series(session=db, resident_id=anna.id), "sv")
    assert text.split("\r\n")[1] == "2026-03-10;08:15;Temperatur ute;-3,5;;°C"
