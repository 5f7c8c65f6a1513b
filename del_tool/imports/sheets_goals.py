"""The goals sheet (Mål): one row per goal, tied to its stay by the stay's reference.

A row holds what the goal form holds (theme, title, description, direction, baseline and target
level, weight, start date, review date, the optional GAS texts) and, for a history brought in
from elsewhere, how the goal ended (status and date). Its checks are the goal service's
(`del_tool.goals.services.check_goal`: levels 0-4, the direction rule, the weight, the review
date), the form's GAS rule (with any GAS text the expected outcome 0 is described) and the
close rules (an ended goal has its date, not before its start). Whether the goal lies within
its stay is checked by the dry run (`plan_goals`), which knows the stay, as is the purpose of
the municipality's action plan a row may name (Formåls-ID, `plan_purposes`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import (
    BeforeValidator,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from del_tool.errors import RuleError
from del_tool.forms import EARLIEST_DATE, PLANNING_HORIZON
from del_tool.goals.forms import GAS_FIELDS
from del_tool.goals.models import GoalDirection, GoalStatus, Theme
from del_tool.goals.services import GoalData, check_goal
from del_tool.imports import lookups
from del_tool.imports.reading import parse_decimal
from del_tool.imports.sheets import (
    ColumnSpec,
    ColumnType,
    ImportRow,
    Kind,
    SheetSpec,
    _choice,
    _problem,
    _ref,
    _text,
    _whole,
    a_date,
    reason,
    refusal,
    text,
)
from del_tool.modelbase import local_today


def labelled(enum_class: Any, message: Any, *, required: bool = True) -> BeforeValidator:
    """A choice column of a labelled enum (a theme, direction, status), by value or label."""
    return BeforeValidator(
        lambda v: _choice(v, lambda x: lookups.labelled(enum_class, x), message, required=required)
    )


#: The synonyms of the FFB theme's header (goals and purposes).
THEME_SYNONYMS: tuple[str, ...] = ("FFB-tema", "Område", "Theme", "Area")
#: The synonyms of a purpose reference's header (the purposes sheet and the goals sheet).
PURPOSE_REF_SYNONYMS: tuple[str, ...] = (
    "Formålsid",
    "Formålsreference",
    "Formålsnummer",
    "Purpose ID",
    "Purpose reference",
)


def _weight(value: Any) -> float:
    _problem(value)
    try:
        number = parse_decimal(value)
    except ValueError:
        raise reason(_l("Skriv en vægt mellem 0,1 og 10.")) from None
    return 1.0 if number is None else float(number)


def _text_or_empty(max_chars: int) -> BeforeValidator:
    """Optional text stored as "" when blank (as the goal form stores a blank description)."""
    return BeforeValidator(lambda v: _text(v, required=False, max_chars=max_chars) or "")


class GoalRow(ImportRow):
    """A goal of a stay."""

    stay_ref: Annotated[str, text(50)]
    theme: Annotated[Theme, labelled(Theme, _l("Ukendt tema. Vælg fra listen."))]
    title: Annotated[str, text(200)]
    description: Annotated[str, _text_or_empty(4000)] = ""
    direction: Annotated[
        GoalDirection,
        labelled(GoalDirection, _l("Skriv Udvikle, Fastholde eller Begrænse tab.")),
    ]
    baseline_level: Annotated[int, BeforeValidator(_whole)]
    target_level: Annotated[int, BeforeValidator(_whole)]
    weight: Annotated[float, BeforeValidator(_weight)] = 1.0
    start_date: Annotated[date, a_date()]
    review_date: Annotated[date | None, a_date(required=False)] = None
    status: Annotated[
        GoalStatus,
        labelled(GoalStatus, _l("Skriv Aktivt, Opnået eller Afsluttet."), required=False),
    ] = GoalStatus.ACTIVE
    closed_on: Annotated[date | None, a_date(required=False)] = None
    gas_minus2: Annotated[str | None, text(500, required=False)] = None
    gas_minus1: Annotated[str | None, text(500, required=False)] = None
    gas_zero: Annotated[str | None, text(500, required=False)] = None
    gas_plus1: Annotated[str | None, text(500, required=False)] = None
    gas_plus2: Annotated[str | None, text(500, required=False)] = None
    #: The purpose of the stay's action plan the goal serves (the purposes sheet's reference);
    #: without the column (not in `model_fields_set`) the import leaves the goal's purpose be.
    purpose_ref: Annotated[str | None, text(50, required=False)] = None

    @property
    def manages_purpose(self) -> bool:
        """Whether the row says which purpose the goal serves (its file has the column)."""
        return "purpose_ref" in self.model_fields_set

    @model_serializer(mode="wrap")
    def _without_unmanaged_purpose(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A row without the column hashes as rows did before the column came (`plan.row_hash`),
        # so goals imported before are unchanged when the same file comes again.
        values = handler(self)
        if not self.manages_purpose and isinstance(values, dict):
            values.pop("purpose_ref", None)
        return values

    @model_validator(mode="before")
    @classmethod
    def _default_status(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("status") in (None, ""):
            values = {**values, "status": GoalStatus.ACTIVE.value}
        return values

    @model_validator(mode="after")
    def _rules(self) -> GoalRow:
        try:
            check_goal(self.goal_data())
        except RuleError as error:
            raise refusal(error.field, error.message) from None
        today = local_today()
        for key, day, latest in (
            ("start_date", self.start_date, today),
            ("review_date", self.review_date, today + PLANNING_HORIZON),
            ("closed_on", self.closed_on, today),
        ):
            if day is not None and not EARLIEST_DATE <= day <= latest:
                raise refusal(
                    key,
                    _l(
                        "Datoen skal ligge mellem %(first)s og %(last)s.",
                        first=EARLIEST_DATE.strftime("%d.%m.%Y"),
                        last=latest.strftime("%d.%m.%Y"),
                    ),
                )
        others = [getattr(self, name) for name, score in GAS_FIELDS if score != 0]
        if not self.gas_zero and any(others):
            raise refusal("gas_zero", _l("Beskriv det forventede resultat (0), når du bruger GAS."))
        if self.status is GoalStatus.ACTIVE and self.closed_on is not None:
            raise refusal("status", _l("Et mål med en slutdato er Opnået eller Afsluttet."))
        if self.status is not GoalStatus.ACTIVE and self.closed_on is None:
            raise refusal("closed_on", _l("Skriv datoen, målet sluttede."))
        if self.closed_on is not None and self.closed_on < self.start_date:
            raise refusal("closed_on", _l("Datoen må ikke være før målets startdato."))
        return self

    def goal_data(self) -> GoalData:
        """The goal as the goal service takes it."""
        return GoalData(
            theme=self.theme,
            title=self.title,
            description=self.description,
            direction=self.direction,
            baseline_level=self.baseline_level,
            target_level=self.target_level,
            weight=self.weight,
            start_date=self.start_date,
            review_date=self.review_date,
            gas_minus2=self.gas_minus2,
            gas_minus1=self.gas_minus1,
            gas_zero=self.gas_zero,
            gas_plus1=self.gas_plus1,
            gas_plus2=self.gas_plus2,
        )

    @property
    def has_gas(self) -> bool:
        """Whether the goal has GAS texts (a review may then give a GAS score)."""
        return any(getattr(self, name) for name, _score in GAS_FIELDS)


def _gas_column(key: str, header: Any, *synonyms: str) -> ColumnSpec:
    return ColumnSpec(
        key,
        header,
        synonyms,
        ColumnType.TEXT,
        False,
        _l("Valgfrit: GAS-beskrivelsen af dette niveau (udfyld 0, hvis du bruger GAS)."),
    )


def stay_ref_column(help_text: Any) -> ColumnSpec:
    """The stay a row belongs to, by the stay's reference."""
    return _ref(
        "stay_ref",
        _l("Ophold-ID"),
        help_text,
        "O1",
        "Opholdsid",
        "Opholdsreference",
        "Opholdsnummer",
        "Stay ID",
        "Stay reference",
    )


def level_column(key: str, header: Any, help_text: Any, example: int, *synonyms: str) -> ColumnSpec:
    """A functioning level 0-4 with its drop-down list."""
    return ColumnSpec(key, header, synonyms, ColumnType.INT, True, help_text, example, "levels")


GOAL_COLUMNS = (
    _ref(
        "external_ref",
        _l("Mål-ID"),
        _l("Målets id i det system, data kommer fra (eller et løbenummer, fx M1, M2 ...)."),
        "M1",
        "Målid",
        "Målreference",
        "Målnummer",
        "Goal ID",
        "Goal reference",
    ),
    stay_ref_column(_l("Opholdets id som på arket Ophold (eller fra en tidligere indlæsning).")),
    ColumnSpec(
        "theme",
        _l("Tema"),
        THEME_SYNONYMS,
        ColumnType.CHOICE,
        True,
        _l("Temaet i Fælles Faglige Begreber, fra listen."),
        None,
        "themes",
    ),
    ColumnSpec(
        "title",
        _l("Mål"),
        ("Målets titel", "Titel", "Indsatsmål", "Goal", "Title"),
        ColumnType.TEXT,
        True,
        _l("Målet i én sætning."),
        "Lave aftensmad to gange om ugen",
    ),
    ColumnSpec(
        "description",
        _l("Beskrivelse"),
        ("Description",),
        ColumnType.TEXT,
        False,
        _l("Valgfrit."),
        None,
    ),
    ColumnSpec(
        "direction",
        _l("Måltype"),
        ("Retning", "Direction", "Goal type"),
        ColumnType.CHOICE,
        True,
        _l("Udvikle, Fastholde eller Begrænse tab."),
        None,
        "directions",
    ),
    level_column(
        "baseline_level",
        _l("Udgangsniveau"),
        _l("Funktionsevnen ved start, 0 (ingen nedsættelse) til 4 (fuldstændig)."),
        3,
        "Startniveau",
        "Baseline",
        "Baseline level",
    ),
    level_column(
        "target_level",
        _l("Målniveau"),
        _l("0 til 4. Udvikle: lavere end udgangsniveauet; fastholde: det samme."),
        2,
        "Target",
        "Target level",
    ),
    ColumnSpec(
        "weight",
        _l("Vægt"),
        ("Weight",),
        ColumnType.DECIMAL,
        False,
        _l("Valgfrit: 0,1 til 10 (tom: 1)."),
        None,
    ),
    ColumnSpec(
        "start_date",
        _l("Startdato"),
        ("Start", "Fra", "Start date"),
        ColumnType.DATE,
        True,
        _l("Inden for opholdet."),
        date(2025, 2, 15),
    ),
    ColumnSpec(
        "review_date",
        _l("Revurderes senest"),
        ("Revurdering", "Revurderingsdato", "Review date"),
        ColumnType.DATE,
        False,
        _l("Valgfrit."),
        None,
    ),
    ColumnSpec(
        "status",
        _l("Status"),
        ("Goal status",),
        ColumnType.CHOICE,
        False,
        _l("Aktivt (tom), Opnået eller Afsluttet."),
        None,
        "goal_statuses",
    ),
    ColumnSpec(
        "closed_on",
        _l("Slutdato"),
        ("Afsluttet den", "Opnået den", "Closed", "End date"),
        ColumnType.DATE,
        False,
        _l("Datoen, målet blev opnået eller afsluttet (tom for et aktivt mål)."),
        None,
    ),
    # Headers are compared without signs, so each says its level in words too.
    _gas_column("gas_minus2", _l("GAS -2 meget mindre"), "GAS minus 2", "GAS -2 much less"),
    _gas_column("gas_minus1", _l("GAS -1 mindre"), "GAS minus 1", "GAS -1 less"),
    _gas_column("gas_zero", _l("GAS 0 forventet"), "GAS 0", "GAS 0 expected"),
    _gas_column("gas_plus1", _l("GAS +1 mere"), "GAS plus 1", "GAS +1 more"),
    _gas_column("gas_plus2", _l("GAS +2 meget mere"), "GAS plus 2", "GAS +2 much more"),
    ColumnSpec(
        "purpose_ref",
        _l("Formåls-ID"),
        PURPOSE_REF_SYNONYMS,
        ColumnType.TEXT,
        False,
        _l(
            "Valgfrit: det formål i kommunens handleplan (arket Formål), målet arbejder hen "
            "imod; et formål for målets eget ophold. Tom: intet formål. Uden kolonnen ændres "
            "målets formål ikke."
        ),
        "P1",
    ),
)

GOAL_SHEET = SheetSpec(
    Kind.GOALS,
    _l("Mål"),
    ("Indsatsmål", "Goals", "Goal"),
    GOAL_COLUMNS,
    ("external_ref", "stay_ref", "theme"),
    GoalRow,
)
