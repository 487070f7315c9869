"""Self-monitoring: values the resident measures, their ranges, thresholds and CSV export.

Values are typed the Swedish way ("72,5"); each kind has a range a real
measurement falls in, so a slip of the finger ("725") is caught with a clear
message instead of drawing a spike in the chart. Times are stored in UTC and
entered in Europe/Stockholm.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_number
from naranara.inputs import Checker, InputInvalid, Message, column_length
from naranara.models import Measurement, MeasurementKind, SelfCareTask
from naranara.services.self_care import local_day_bounds
from naranara.services.self_care_plan import ThresholdRule
from naranara.settings import DISPLAY_TIMEZONE


@dataclass(frozen=True)
class KindSpec:
    label: str  # message id
    unit: str  # message id ("" for none)
    low: float
    high: float
    decimals: int  # digits after the comma a value may have


KINDS: dict[MeasurementKind, KindSpec] = {
    MeasurementKind.WEIGHT: KindSpec(N_("Weight"), "kg", 20, 300, 1),
    MeasurementKind.BLOOD_PRESSURE: KindSpec(N_("Blood pressure"), "mmHg", 60, 260, 0),
    MeasurementKind.GLUCOSE: KindSpec(N_("Blood glucose"), "mmol/l", 1, 35, 1),
    MeasurementKind.PULSE: KindSpec(N_("Pulse"), N_("beats/min"), 30, 220, 0),
    MeasurementKind.STEPS: KindSpec(N_("Steps"), N_("steps"), 0, 100_000, 0),
    MeasurementKind.MOOD: KindSpec(N_("Mood"), "", 1, 5, 0),
    MeasurementKind.CUSTOM: KindSpec(N_("Other value"), "", -1_000_000, 1_000_000, 2),
}
DIASTOLIC = (30, 160)
MOOD_WORDS = {
    1: N_("Very bad"),
    2: N_("Bad"),
    3: N_("Neither good nor bad"),
    4: N_("Good"),
    5: N_("Very good"),
}
PERIODS = (7, 30, 90)
# A value older than this says nothing about how one is now: no advice from it.
CURRENT_FOR = timedelta(days=7)
_NUMBER = re.compile(r"-?[0-9]+(?:,[0-9]+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3])[:.][0-5]\d")
# A cell Excel would run as a formula; a leading apostrophe makes it text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_number(text: str) -> float | None:
    """A number as a Swede writes it: "72,5", "72.5", "8 000" (spaces group thousands)."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = (
        cleaned.replace(".", ",") if cleaned.count(".") == 1 and "," not in cleaned else cleaned
    )
    cleaned = cleaned.replace("\u2212", "-")  # the minus sign babel writes
    if not _NUMBER.fullmatch(cleaned):
        return None
    return float(cleaned.replace(",", "."))


def _decimals(text: str) -> int:
    cleaned = text.strip().replace(".", ",")
    return len(cleaned.split(",", 1)[1]) if "," in cleaned else 0


def _number_field(
    form: dict[str, str],
    name: str,
    low: float,
    high: float,
    decimals: int,
    errors: dict,
    locale: str,
    *,
    required: bool = True,
) -> float | None:
    text = form.get(name, "").strip()
    if not text:
        if required:
            errors[name] = N_("Write a value.")
        return None
    value = parse_number(text)
    if value is None or _decimals(text) > decimals:
        errors[name] = Message(
            N_("Write a number, like {example}.")
            if decimals
            else N_("Write a whole number, like {example}."),
            example=format_number(round(low + (high - low) / 4, decimals), locale),
        )
        return None
    if not low <= value <= high:
        errors[name] = Message(
            N_("That value looks wrong. Write a value from {low} to {high}."),
            low=format_number(low, locale),
            high=format_number(high, locale),
        )
        return None
    return value


def parse_measured_at(date_text: str, time_text: str, *, now: datetime) -> datetime:
    """A local date and time from the form, as aware UTC; not in the future."""
    date_text, time_text = date_text.strip(), time_text.strip()
    if not (_DATE.fullmatch(date_text) and _TIME.fullmatch(time_text)):
        raise InputInvalid({"measured_at": N_("Choose a date and a time.")})
    try:
        day = datetime.strptime(date_text, "%Y-%m-%d").date()  # noqa: DTZ007 - a local date
    except ValueError:
        raise InputInvalid({"measured_at": N_("Choose a date and a time.")}) from None
    hour, minute = int(time_text[:2]), int(time_text[3:])
    moment = datetime.combine(day, time(hour, minute), tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)
    if moment > now + timedelta(minutes=5):
        raise InputInvalid({"measured_at": N_("The time cannot be in the future.")})
    if moment < now - timedelta(days=366):
        raise InputInvalid({"measured_at": N_("Choose a time within the last year.")})
    return moment


def record(
    *,
    session: Session,
    resident_id: int,
    kind: str,
    form: dict[str, str],
    recorded_by_id: int,
    now: datetime,
    locale: str,
) -> list[Measurement]:
    """Check the form and store the values; a pulse taken with the blood pressure is a
    pulse value of its own, so it shows in the pulse chart too."""
    try:
        chosen = MeasurementKind(kind)
    except ValueError:
        raise InputInvalid({"kind": N_("Choose what you measured.")}) from None
    spec = KINDS[chosen]
    errors: dict[str, str] = {}
    measured_at = None
    try:
        measured_at = parse_measured_at(form.get("date", ""), form.get("time", ""), now=now)
    except InputInvalid as refused:
        errors |= refused.errors
    value = _number_field(form, "value", spec.low, spec.high, spec.decimals, errors, locale)
    value2 = pulse = None
    unit, custom_name = spec.unit, ""
    if chosen is MeasurementKind.BLOOD_PRESSURE:
        value2 = _number_field(form, "value2", *DIASTOLIC, 0, errors, locale)
        if value is not None and value2 is not None and value2 >= value:
            errors["value2"] = N_("The lower pressure must be lower than the upper.")
        pulse_spec = KINDS[MeasurementKind.PULSE]
        pulse = _number_field(
            form, "pulse", pulse_spec.low, pulse_spec.high, 0, errors, locale, required=False
        )
    if chosen is MeasurementKind.CUSTOM:
        checker = Checker()
        custom_name = checker.text(
            form,
            "custom_name",
            max_length=column_length(Measurement, "custom_name"),
            required=N_("Write what you measured."),
        )
        unit = checker.text(form, "unit", max_length=column_length(Measurement, "unit"))
        errors |= checker.errors
    if errors:
        raise InputInvalid(errors)
    task_id = _task_measuring(session=session, resident_id=resident_id, kind=chosen)
    rows = [
        Measurement(
            resident_id=resident_id,
            kind=chosen.value,
            value=value,
            value2=value2,
            unit=unit,
            custom_name=custom_name,
            measured_at=measured_at,
            recorded_by_id=recorded_by_id,
            task_id=task_id,
        )
    ]
    if pulse is not None:
        rows.append(
            Measurement(
                resident_id=resident_id,
                kind=MeasurementKind.PULSE.value,
                value=pulse,
                unit=KINDS[MeasurementKind.PULSE].unit,
                measured_at=measured_at,
                recorded_by_id=recorded_by_id,
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def _task_measuring(*, session: Session, resident_id: int, kind: MeasurementKind) -> int | None:
    return session.exec(
        select(SelfCareTask.id).where(
            SelfCareTask.resident_id == resident_id,
            SelfCareTask.active,
            SelfCareTask.measurement_kind == kind.value,
        )
    ).first()


def period_start(*, days: int, now: datetime) -> datetime:
    """Where "the last ``days`` days" begins: midnight in Sweden, ``days - 1`` days before
    today. Calendar days, so a chart holds the same values all day long."""
    today = now.astimezone(DISPLAY_TIMEZONE).date()
    return local_day_bounds(today - timedelta(days=days - 1))[0]


def series(
    *,
    session: Session,
    resident_id: int,
    kind: str | None = None,
    since: datetime | None = None,
) -> list[Measurement]:
    """The resident's values, oldest first; all kinds when ``kind`` is None."""
    query = select(Measurement).where(Measurement.resident_id == resident_id)
    if kind is not None:
        query = query.where(Measurement.kind == kind)
    if since is not None:
        query = query.where(Measurement.measured_at >= since)
    return list(
        session.exec(query.order_by(col(Measurement.measured_at), col(Measurement.id))).all()
    )


def kinds_with_values(*, session: Session, resident_id: int) -> list[str]:
    found = set(
        session.exec(
            select(Measurement.kind).where(Measurement.resident_id == resident_id).distinct()
        ).all()
    )
    return [kind.value for kind in MeasurementKind if kind.value in found]


# ---------------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class Alert:
    task_title: str
    kind: str
    advice: str
    latest: float
    compared_with: float  # the line, or for a rise the lowest value it rose from
    latest_at: datetime | None = None  # when the latest value was measured


def crossed(
    rule: str, line: float, days: int | None, values: list[tuple[datetime, float]], now: datetime
) -> tuple[float, float] | None:
    """(latest, compared with) when the latest current value crosses the line, else None.

    ``values`` are (time, value), oldest first. "rise" compares the latest with the
    lowest value of the ``days`` days before it: 2.4 kg more than three days ago.
    """
    if not values:
        return None
    latest_at, latest = values[-1]
    if now - latest_at > CURRENT_FOR:
        return None
    if rule == ThresholdRule.ABOVE:
        return (latest, line) if latest > line else None
    if rule == ThresholdRule.BELOW:
        return (latest, line) if latest < line else None
    if rule == ThresholdRule.RISE and days:
        window = [value for at, value in values if latest_at - timedelta(days=days) <= at]
        lowest = min(window)
        return (latest, lowest) if latest - lowest > line else None
    return None


def alerts(*, session: Session, resident_id: int, now: datetime) -> list[Alert]:
    """The advice of every task whose threshold the resident's latest values cross."""
    found = []
    tasks = session.exec(
        select(SelfCareTask).where(
            SelfCareTask.resident_id == resident_id,
            SelfCareTask.active,
            SelfCareTask.threshold_rule != "",
            SelfCareTask.measurement_kind != "",
        )
    ).all()
    for task in tasks:
        if task.threshold_value is None:
            continue
        since = now - CURRENT_FOR - timedelta(days=task.threshold_days or 0)
        values = [
            (row.measured_at, row.value)
            for row in series(
                session=session, resident_id=resident_id, kind=task.measurement_kind, since=since
            )
        ]
        result = crossed(
            task.threshold_rule, task.threshold_value, task.threshold_days, values, now
        )
        if result is not None:
            found.append(
                Alert(
                    task.title,
                    task.measurement_kind,
                    task.threshold_advice,
                    *result,
                    latest_at=values[-1][0],
                )
            )
    return found


# ---------------------------------------------------------------------------- display


def kind_label(row_kind: str, custom_name: str, locale: str) -> str:
    if row_kind == MeasurementKind.CUSTOM:
        return custom_name
    return gettext(locale, KINDS[MeasurementKind(row_kind)].label)


def unit_label(row: Measurement, locale: str) -> str:
    """The unit in the reader's language; a unit the resident wrote stays as written."""
    if row.kind == MeasurementKind.CUSTOM or not row.unit:
        return row.unit
    return gettext(locale, row.unit)


def value_text(row: Measurement, locale: str) -> str:
    """As the resident reads it: 72,5 kg, 135/85 mmHg, 4 – Bra."""
    if row.kind == MeasurementKind.MOOD:
        words = gettext(locale, MOOD_WORDS[int(row.value)]) if int(row.value) in MOOD_WORDS else ""
        return f"{int(row.value)} – {words}"
    number = format_number(row.value, locale)
    if row.value2 is not None:
        number = f"{number}/{format_number(row.value2, locale)}"
    unit = unit_label(row, locale)
    return f"{number} {unit}" if unit else number


# ---------------------------------------------------------------------------- CSV


def _safe_cell(text: str) -> str:
    """Text Excel shows as text: a cell starting like a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _decimal_comma(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def to_csv(rows: list[Measurement], locale: str) -> str:
    """Semicolons and decimal commas, as Excel in Swedish reads a CSV file."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            gettext(locale, "Date"),
            gettext(locale, "Time"),
            gettext(locale, "What"),
            gettext(locale, "Value"),
            gettext(locale, "Lower pressure"),
            gettext(locale, "Unit"),
        ]
    )
    for row in rows:
        local = row.measured_at.astimezone(DISPLAY_TIMEZONE)
        writer.writerow(
            [
                local.strftime("%Y-%m-%d"),
                local.strftime("%H:%M"),
                _safe_cell(kind_label(row.kind, row.custom_name, locale)),
                _decimal_comma(row.value),
                _decimal_comma(row.value2),
                _safe_cell(unit_label(row, locale)),
            ]
        )
    return out.getvalue()
