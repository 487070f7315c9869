"""Mätvärden: log a value, see it over 7, 30 or 90 days, and the article's advice when due.

The resident logs their own values; a relative with the measurements scope and
staff caring for the resident read them with ``?invanare=<id>``. Whose values a
tab shows is a backend var; each handler asks the policy again.
"""

from __future__ import annotations

import dataclasses

import reflex as rx
from babel.dates import format_date

from naranara import clock, routes
from naranara.components.browser import focus
from naranara.db import session_scope
from naranara.i18n import DEFAULT_LOCALE, N_, gettext
from naranara.i18n.formatting import format_day, format_day_and_time, format_number
from naranara.inputs import InputInvalid, form_text, record_id
from naranara.models import Measurement, MeasurementKind
from naranara.policy import Action, Viewer, is_allowed
from naranara.services import audit, measurements
from naranara.services.measurements import KINDS, PERIODS
from naranara.settings import DISPLAY_TIMEZONE
from naranara.states.focus import heading_for, resident_in_focus, resident_query
from naranara.states.session import current_viewer

_FIELDS = ("kind", "date", "time", "value", "value2", "pulse", "custom_name", "unit")
_KEEP = 200


@dataclasses.dataclass
class MeasurementRowView:
    when: str
    what: str
    value: str


@dataclasses.dataclass
class AlertView:
    title: str
    advice: str
    detail: str  # "Senaste värdet: 72,4 kg. Lägsta de senaste 3 dagarna: 70,0 kg."


@dataclasses.dataclass
class KindChoiceView:
    value: str
    label: str


def _chart_point(row: Measurement, locale: str) -> dict[str, str | float]:
    local = row.measured_at.astimezone(DISPLAY_TIMEZONE)
    point: dict[str, str | float] = {
        "day": format_date(local.date(), "d MMM", locale=locale),
        "value": row.value,
    }
    if row.value2 is not None:
        point["value2"] = row.value2
    return point


class MeasurementsState(rx.State):
    loaded: bool = False
    allowed: bool = False
    own: bool = True
    may_record: bool = False
    heading: str = ""
    kind: str = MeasurementKind.WEIGHT.value  # what the form logs
    chart_kind: str = ""  # what the chart shows
    chart_kinds: list[KindChoiceView] = []
    period: int = 30
    chart: list[dict[str, str | float]] = []
    chart_title: str = ""
    summary: str = ""
    unit: str = ""
    has_lower: bool = False  # blood pressure: a second line
    rows: list[MeasurementRowView] = []
    alerts: list[AlertView] = []
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""
    form_key: int = 0
    notice: str = ""
    csv_href: str = routes.MEASUREMENTS_CSV
    plan_href: str = routes.SELF_CARE_PLAN
    _resident_id: int = 0

    def _refresh(self, viewer: Viewer) -> None:
        now = clock.now()
        locale = viewer.locale
        since = measurements.period_start(days=self.period, now=now)
        with session_scope() as db:
            kinds = measurements.kinds_with_values(session=db, resident_id=self._resident_id)
            if self.chart_kind not in kinds:
                self.chart_kind = kinds[0] if kinds else ""
            rows = (
                measurements.series(
                    session=db, resident_id=self._resident_id, kind=self.chart_kind, since=since
                )
                if self.chart_kind
                else []
            )
            found = measurements.alerts(session=db, resident_id=self._resident_id, now=now)
            audit.record_access(
                session=db,
                actor_id=viewer.user_id,
                resident_id=self._resident_id,
                detail="measurements",
            )
        self.chart_kinds = [
            KindChoiceView(kind, gettext(locale, KINDS[MeasurementKind(kind)].label))
            for kind in kinds
        ]
        self.chart = [_chart_point(row, locale) for row in rows]
        self.has_lower = any(row.value2 is not None for row in rows)
        self.unit = measurements.unit_label(rows[0], locale) if rows else ""
        label = (
            gettext(locale, KINDS[MeasurementKind(self.chart_kind)].label)
            if self.chart_kind
            else ""
        )
        self.chart_title = gettext(locale, "{what}, the last {days} days").format(
            what=label, days=self.period
        )
        self.summary = _summary(rows, self.period, locale)
        self.rows = [
            MeasurementRowView(
                when=format_day_and_time(row.measured_at, locale),
                what=measurements.kind_label(row.kind, row.custom_name, locale),
                value=measurements.value_text(row, locale),
            )
            for row in reversed(rows)
        ]
        self.alerts = [_alert_view(alert, locale) for alert in found]

    def _blank_form(self) -> None:
        local = clock.local_now()
        self.values = {name: "" for name in _FIELDS} | {
            "kind": self.kind,
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
        }
        self.errors, self.form_error = {}, ""
        self.form_key += 1

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        self.notice = ""
        if viewer is None:
            return
        self.loaded = True
        resident_id = resident_in_focus(self, viewer)
        self.allowed = is_allowed(viewer, Action.VIEW_MEASUREMENTS, resident_id)
        if not self.allowed:
            self._resident_id, self.rows, self.chart, self.alerts = 0, [], [], []
            self.heading, self.summary, self.may_record = "", "", False
            return
        self._resident_id = resident_id
        self.own = resident_id == viewer.user_id
        self.may_record = is_allowed(viewer, Action.RECORD_MEASUREMENT, resident_id)
        query = resident_query(resident_id, viewer, first=True)
        self.csv_href = routes.MEASUREMENTS_CSV + query
        self.plan_href = routes.SELF_CARE_PLAN + query
        self.heading = heading_for(
            viewer, resident_id, N_("My measurements"), N_("Measurements for {name}")
        )
        self._blank_form()
        self._refresh(viewer)

    @rx.event
    def choose_kind(self, kind: str) -> None:
        """What the form logs; the fields follow (two pressures, a mood scale, a name)."""
        if isinstance(kind, str) and kind in set(MeasurementKind):
            self.kind = kind
            self.values = {**self.values, "kind": kind}
            self.errors, self.form_error = {}, ""

    @rx.event
    def show_chart(self, kind: str) -> None:
        viewer = current_viewer(self)
        if not isinstance(kind, str) or kind not in set(MeasurementKind):
            return
        if not is_allowed(viewer, Action.VIEW_MEASUREMENTS, self._resident_id or None):
            return
        self.chart_kind = kind
        self._refresh(viewer)

    @rx.event
    def set_period(self, days: int) -> None:
        viewer = current_viewer(self)
        chosen = record_id(days)
        if chosen not in PERIODS:
            return
        if not is_allowed(viewer, Action.VIEW_MEASUREMENTS, self._resident_id or None):
            return
        self.period = chosen
        self._refresh(viewer)

    @rx.event
    def submit(self, form_data: dict):  # noqa: ANN201 - an event
        viewer = current_viewer(self)
        self.values = {name: form_text(form_data, name, max_length=_KEEP) for name in _FIELDS}
        self.notice = ""
        locale = viewer.locale if viewer else DEFAULT_LOCALE
        if viewer is None or not is_allowed(
            viewer, Action.RECORD_MEASUREMENT, self._resident_id or None
        ):
            self.form_error = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return None
        try:
            with session_scope() as db:
                [row, *_] = measurements.record(
                    session=db,
                    resident_id=self._resident_id,
                    kind=self.values["kind"] or self.kind,
                    form=self.values,
                    recorded_by_id=viewer.user_id,
                    now=clock.now(),
                    locale=locale,
                )
                saved = measurements.value_text(row, locale)
                what = measurements.kind_label(row.kind, row.custom_name, locale)
                chart_kind = row.kind
        except InputInvalid as refused:
            self.errors = refused.texts(locale)
            self.form_error = gettext(locale, "Some answers need a change. See below.")
            return None
        self.notice = gettext(locale, "Saved: {what} {value}.").format(what=what, value=saved)
        self.chart_kind = chart_kind
        self._blank_form()
        self._refresh(viewer)
        return focus("measure-notice")


def _summary(rows: list[Measurement], days: int, locale: str) -> str:
    """The chart in words, for everyone who cannot see it."""
    if not rows:
        return gettext(locale, "No values from the last {days} days.").format(days=days)
    values = [row.value for row in rows]
    latest = rows[-1]
    return gettext(
        locale, "{count} values. Lowest {low}, highest {high}. Latest {latest}, {day}."
    ).format(
        count=len(rows),
        low=format_number(min(values), locale),
        high=format_number(max(values), locale),
        latest=measurements.value_text(latest, locale),
        day=format_day(latest.measured_at, locale),
    )


def _alert_view(alert: measurements.Alert, locale: str) -> AlertView:
    unit = gettext(locale, KINDS[MeasurementKind(alert.kind)].unit)
    latest = f"{format_number(alert.latest, locale)} {unit}".strip()
    compared = f"{format_number(alert.compared_with, locale)} {unit}".strip()
    return AlertView(
        title=alert.task_title,
        advice=alert.advice,
        detail=gettext(locale, "Your latest value: {latest}. Compared with: {compared}.").format(
            latest=latest, compared=compared
        ),
    )
