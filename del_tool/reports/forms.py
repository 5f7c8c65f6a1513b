"""Choosing a report: kind, scope, period and filters (GET forms; no state changes), and the
period of a council-pack job (POST)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from del_tool.modelbase import local_today
from del_tool.organisation.models import LegalSection, TargetGroup
from del_tool.reports.common.context import publication_day
from del_tool.reports.common.period import Period, PeriodError, parse_period
from del_tool.reports.common.selection import Filters

REPORT_KINDS = ("effect", "documentation", "learning", "economy", "supervision")
PERIOD_MESSAGES = {
    "format": _l(
        "Skriv perioden som et kvartal (2026K3, 2026Q3, 3. kvartal 2026), et halvår (2026H1, "
        "1. halvår 2026), et år (2026) eller to datoer (01.01.2026..30.06.2026)."
    ),
    "year": _l("Året skal ligge mellem 1990 og 2100."),
    "date": _l("En af datoerne findes ikke. Skriv datoer som 31.01.2026 eller 2026-01-31."),
    "order": _l("Slutdatoen ligger før startdatoen."),
    "length": _l("En periode kan højst være ti år lang."),
}


COUNCIL_PERIOD_MESSAGE = _l(
    "Kommunerapporten gives for hele kvartaler, halvår og år, fx 2026Q3, 2026H1 eller 2026."
)


def kind_choices() -> list[tuple[str, Any]]:
    """The internal reports, in menu order."""
    return [
        ("effect", _l("Effekt")),
        ("documentation", _l("Dokumentation")),
        ("learning", _l("Læring")),
        ("economy", _l("Økonomi")),
        ("supervision", _l("Til Socialtilsynet")),
    ]


class PeriodMixin:
    """A period field parsed by `parse_period`, with the parsed value kept."""

    parsed_period: Period | None = None

    def validate_period(self, field: StringField) -> None:
        """Parse the period text; a readable error beside the field when it cannot be, or when
        the period has not begun (a period under way is reported as status at today)."""
        try:
            period = parse_period(field.data or "")
        except PeriodError as exc:
            raise ValidationError(str(PERIOD_MESSAGES[exc.reason])) from None
        today = local_today()
        if period.start > today:
            raise ValidationError(
                _l(
                    "Perioden er ikke begyndt endnu: den starter %(day)s.",
                    day=period.start.strftime("%d.%m.%Y"),
                )
            )
        self.parsed_period = period


class ReportForm(PeriodMixin, FlaskForm):
    """Which internal report, for which scope and period, with which filters."""

    class Meta:
        csrf = False  # a GET form that only reads

    kind = SelectField(_l("Rapport"), choices=kind_choices, default="effect")
    scope = SelectField(_l("Omfang"))
    period = StringField(_l("Periode"), validators=[InputRequired(), Length(max=30)])
    section = SelectField(_l("Paragraf"), default="")
    target_group = SelectField(_l("Målgruppe"), default="")
    municipality = SelectField(_l("Betalingskommune"), default="")

    def __init__(
        self,
        *args: Any,
        scopes: list[tuple[str, str]],
        municipalities: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope.choices = scopes
        everything: list[tuple[str, Any]] = [("", _l("Alle"))]
        self.section.choices = everything + LegalSection.choices()
        self.target_group.choices = everything + TargetGroup.choices()
        self.municipality.choices = everything + municipalities

    def filters(self) -> Filters:
        """The chosen filters."""
        return Filters(
            legal_section=LegalSection(self.section.data) if self.section.data else None,
            target_group=TargetGroup(self.target_group.data) if self.target_group.data else None,
            municipality_code=self.municipality.data or None,
        )


class CouncilForm(PeriodMixin, FlaskForm):
    """Which municipality's council summary, for which period."""

    class Meta:
        csrf = False  # a GET form that only reads

    municipality = SelectField(_l("Kommune"), validators=[InputRequired()])
    period = StringField(_l("Periode"), validators=[InputRequired(), Length(max=30)])

    def __init__(
        self,
        *args: Any,
        municipalities: list[tuple[str, str]],
        published_by: date | None = None,
        **kwargs: Any,
    ) -> None:
        """`published_by`: a council's view, which covers only whole quarters, half-years and
        years published by that day (so no period can be moved a day to single one out)."""
        super().__init__(*args, **kwargs)
        self.municipality.choices = municipalities
        self.published_by = published_by

    def validate_period(self, field: StringField) -> None:
        """The period, and for a council only a published calendar period."""
        super().validate_period(field)
        period = self.parsed_period
        if self.published_by is None or period is None:
            return
        if period.kind not in ("quarter", "half", "year"):
            raise ValidationError(str(COUNCIL_PERIOD_MESSAGE))
        published = publication_day(period)
        if published > self.published_by:
            raise ValidationError(
                _l("Perioden offentliggøres %(day)s.", day=published.strftime("%d.%m.%Y"))
            )


class PacksForm(PeriodMixin, FlaskForm):
    """Which period's council packs to make (a POST: it starts a job); like every council
    output, a whole quarter, half-year or year."""

    period = StringField(_l("Periode"), validators=[InputRequired(), Length(max=30)])

    def validate_period(self, field: StringField) -> None:
        """The period, which must be a calendar period."""
        super().validate_period(field)
        if self.parsed_period is not None and self.parsed_period.kind == "custom":
            raise ValidationError(str(COUNCIL_PERIOD_MESSAGE))
