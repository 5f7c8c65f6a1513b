"""What each sheet of an import holds: its columns (header, synonyms, type, whether required,
allowed values, help for the template's read-me) and a pydantic model that checks a row.

Citizens and stays are here; the action plan's purposes (`sheets_purposes`), goals
(`sheets_goals`), follow-ups and goal reviews
(`sheets_followups`) and questionnaire answers (`sheets_answers`) are further `SheetSpec`s in
`SHEETS` (each with an external reference and a row model), and the reader, the template and
the dry run take them as they take these two.

Text is cleaned as a form cleans it (`del_tool.text.clean_text`: spaces and invisible
characters at the ends, control characters), a required text that is then empty is refused,
and text shaped like a CPR number is refused in every text column (DEL stores none). Text that
looks like HTML or a script ("<b>", "<script>") is stored as the text it is: DEL escapes every
text on output (Jinja's autoescape in pages and PDFs; spreadsheet exports neutralise formulas),
and a name such as "Anders <Andy> Jensen" is legitimate text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from del_tool.citizens.models import Sex
from del_tool.forms import EARLIEST_DATE, contains_cpr_number
from del_tool.imports import lookups
from del_tool.imports.reading import (
    CellProblem,
    cell_text,
    header_key,
    normalise,
    parse_date,
    parse_int,
)
from del_tool.modelbase import local_today
from del_tool.organisation.models import LegalSection, TargetGroup
from del_tool.text import clean_text

#: Planned stays may start this far ahead (as in the stay form).
STAY_AHEAD = timedelta(days=366)


class Kind(enum.StrEnum):
    """The kinds of sheet an import reads, in the order they are planned and written."""

    CITIZENS = "citizens"
    STAYS = "stays"
    #: The values are the records' tables (the change history's entities, which undo reads).
    PURPOSES = "stay_purposes"
    GOALS = "goals"
    FOLLOWUPS = "follow_ups"
    REVIEWS = "goal_reviews"
    ANSWERS = "assessments"


class ColumnType(enum.StrEnum):
    """How a column's cells are read."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of a sheet."""

    key: str
    header: Any  # lazy: Danish, English in an English UI
    synonyms: tuple[str, ...]
    type: ColumnType
    required: bool
    help: Any
    example: Any = None
    #: The drop-down list of a choice column in the template (see `template.py`).
    choices: str | None = None

    def names(self) -> frozenset[str]:
        """Every normalised header this column is recognised by."""
        return frozenset(normalise(n) for n in (str(self.header), *self.synonyms))


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """A kind of sheet: its name, columns, the columns that identify it, and its row model."""

    kind: Kind
    title: Any
    synonyms: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    identifying: tuple[str, ...]
    model: type[BaseModel]

    def names(self) -> frozenset[str]:
        """Normalised sheet names that mean this kind."""
        return frozenset(normalise(n) for n in (str(self.title), *self.synonyms))

    def column(self, key: str) -> ColumnSpec:
        """The column with `key`."""
        return next(c for c in self.columns if c.key == key)

    def map_header(self, header: list[str]) -> tuple[dict[str, int], list[str]]:
        """Column key -> index in the header, and the header cells not used (ignored: unknown,
        or a column given twice, of which the first counts)."""
        found: dict[str, int] = {}
        ignored: list[str] = []
        for index, text in enumerate(header):
            name = header_key(text)
            if not name:
                continue
            key = next((c.key for c in self.columns if name in c.names()), None)
            if key is None or key in found:
                ignored.append(text)
            else:
                found[key] = index
        return found, ignored

    def is_header(self, names: list[str]) -> bool:
        """Whether a row of normalised texts names every identifying column."""
        given = set(names)
        return all(given & self.column(key).names() for key in self.identifying)


# -- cell validators (each raises a translated reason) -------------------------------------------


def reason(message: Any) -> PydanticCustomError:
    """A refusal with a translated reason (kept lazy in the error's context)."""
    return PydanticCustomError("del_import", "{reason}", {"reason": message})


def _problem(value: Any) -> None:
    if isinstance(value, CellProblem):
        raise reason(value.reason)


def _text(value: Any, *, required: bool, max_chars: int) -> str | None:
    _problem(value)
    text = clean_text("" if value is None else cell_text(value))
    if not text:
        if required:
            raise reason(_l("Feltet skal udfyldes."))
        return None
    if len(text) > max_chars:
        raise reason(_l("Højst %(max)s tegn.", max=max_chars))
    if contains_cpr_number(text):
        raise reason(_l("DEL gemmer ikke CPR-numre. Fjern nummeret fra cellen."))
    return text


def text(max_chars: int, *, required: bool = True) -> BeforeValidator:
    """A text column: cleaned, at most `max_chars`, no CPR-like number; blank is refused when
    `required`, else None."""
    return BeforeValidator(lambda v: _text(v, required=required, max_chars=max_chars))


def _date(value: Any, *, required: bool) -> date | None:
    _problem(value)
    try:
        day = parse_date(value)
    except ValueError:
        raise reason(_l("Ikke en dato. Skriv fx 31.12.2025.")) from None
    if day is None and required:
        raise reason(_l("Skriv en dato."))
    return day


def a_date(*, required: bool = True) -> BeforeValidator:
    """A date column (dates, Excel serials, dd.mm.yyyy, dd-mm-yyyy, ISO)."""
    return BeforeValidator(lambda v: _date(v, required=required))


def _whole(value: Any) -> int:
    _problem(value)
    try:
        number = parse_int(value)
    except ValueError:
        raise reason(_l("Skriv et helt tal.")) from None
    if number is None:
        raise reason(_l("Feltet skal udfyldes."))
    return number


def _choice(value: Any, find: Any, message: Any, *, required: bool = True) -> Any:
    _problem(value)
    if value is None or not str(value).strip():
        if required:
            raise reason(_l("Feltet skal udfyldes."))
        return None
    found = find(value)
    if found is None:
        raise reason(message)
    return found


def _lookups(info: ValidationInfo) -> lookups.Lookups:
    context = info.context or {}
    found: lookups.Lookups = context["lookups"]
    return found


def _unit(value: Any, info: ValidationInfo) -> int | None:
    _problem(value)
    if value is None or not str(value).strip():
        return None  # the plan uses the import's one unit, or refuses the row
    try:
        found = _lookups(info).unit(value)
    except ValueError:
        raise reason(_l("Flere af dine tilbud har det navn. Skriv tilbuddets id.")) from None
    if found is None:
        raise reason(_l("Ukendt tilbud. Skriv tilbuddets navn eller id fra listen."))
    return found


def _municipality(value: Any, info: ValidationInfo) -> str:
    return str(
        _choice(
            value,
            _lookups(info).municipality,
            _l("Ukendt kommune. Skriv kommunens navn eller kode, fx Odense eller 461."),
        )
    )


# -- the sheets ----------------------------------------------------------------------------------


class ImportRow(BaseModel):
    """What every row has: its number in the file and the source system's reference."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    row: int
    external_ref: Annotated[str, text(50)]


class CitizenRow(ImportRow):
    """A citizen: name, birth year, sex, target group, optional case reference."""

    name: Annotated[str, text(200)]
    birth_year: Annotated[int, BeforeValidator(_whole)]
    sex: Annotated[
        Sex,
        BeforeValidator(lambda v: _choice(v, lookups.sex, _l("Skriv Kvinde, Mand eller Andet."))),
    ]
    target_group: Annotated[
        TargetGroup,
        BeforeValidator(
            lambda v: _choice(v, lookups.target_group, _l("Ukendt målgruppe. Vælg fra listen."))
        ),
    ]
    case_reference: Annotated[str | None, text(50, required=False)] = None

    @model_validator(mode="after")
    def _birth_year_range(self) -> CitizenRow:
        if not 1900 <= self.birth_year <= local_today().year:
            raise refusal(
                "birth_year",
                _l("Fødselsåret skal ligge mellem 1900 og %(year)s.", year=local_today().year),
            )
        return self


class StayRow(ImportRow):
    """A stay: the citizen (by reference), unit, payer, section, start, optional end."""

    citizen_ref: Annotated[str, text(50)]
    unit_id: Annotated[int | None, BeforeValidator(_unit)] = None
    municipality_code: Annotated[str, BeforeValidator(_municipality)]
    legal_section: Annotated[
        LegalSection,
        BeforeValidator(
            lambda v: _choice(
                v, lookups.legal_section, _l("Ukendt paragraf. Skriv fx § 107 eller 108.")
            )
        ),
    ]
    start_date: Annotated[date, a_date()]
    end_date: Annotated[date | None, a_date(required=False)] = None
    tariff_level: Annotated[str | None, text(40, required=False)] = None

    @model_validator(mode="after")
    def _dates(self) -> StayRow:
        latest = local_today() + STAY_AHEAD
        for key, day in (("start_date", self.start_date), ("end_date", self.end_date)):
            if day is not None and not EARLIEST_DATE <= day <= latest:
                raise refusal(
                    key,
                    _l(
                        "Datoen skal ligge mellem %(first)s og %(last)s.",
                        first=EARLIEST_DATE.strftime("%d.%m.%Y"),
                        last=latest.strftime("%d.%m.%Y"),
                    ),
                )
        if self.end_date is not None and self.end_date < self.start_date:
            raise refusal("end_date", _l("Slutdatoen må ikke være før startdatoen."))
        return self


def refusal(column: str, message: Any) -> PydanticCustomError:
    """A refusal of a whole-row check, naming the column it is about."""
    return PydanticCustomError("del_import", "{reason}", {"reason": message, "column": column})


def row_errors(error: ValidationError) -> list[tuple[str, Any]]:
    """(column key, translated reason) for each problem of a refused row."""
    out = []
    for item in error.errors():
        context = item.get("ctx") or {}
        column = context.get("column") or (str(item["loc"][0]) if item["loc"] else "")
        out.append((column, context.get("reason") or _l("Ugyldig værdi.")))
    return out


def _ref(key: str, header: Any, help_text: Any, example: str, *synonyms: str) -> ColumnSpec:
    return ColumnSpec(key, header, synonyms, ColumnType.TEXT, True, help_text, example)


CITIZEN_COLUMNS = (
    _ref(
        "external_ref",
        _l("Borger-ID"),
        _l(
            "Borgerens id i det system, data kommer fra (eller et løbenummer, fx B1, B2 ...). "
            "Det samme id i en senere fil opdaterer borgeren i stedet for at oprette en ny."
        ),
        "B1",
        "Borgerid",
        "Borgerreference",
        "Borgernummer",
        "Borgernr",
        "ID",
        "Reference",
        "Ekstern reference",
        "Citizen ID",
        "Citizen reference",
        "External reference",
    ),
    ColumnSpec(
        "name",
        _l("Navn"),
        ("Borgernavn", "Fulde navn", "Name", "Full name", "Citizen name"),
        ColumnType.TEXT,
        True,
        _l("For- og efternavn."),
        "Anna Jensen",
    ),
    ColumnSpec(
        "birth_year",
        _l("Fødselsår"),
        ("Fødselsaar", "Født", "Årgang", "Birth year", "Year of birth"),
        ColumnType.INT,
        True,
        _l("Fire cifre, fx 1984. DEL gemmer ikke fødselsdato eller CPR-nummer."),
        1984,
    ),
    ColumnSpec(
        "sex",
        _l("Køn"),
        ("Sex", "Gender"),
        ColumnType.CHOICE,
        True,
        _l("Kvinde, Mand eller Andet."),
        "Kvinde",
        "sexes",
    ),
    ColumnSpec(
        "target_group",
        _l("Målgruppe"),
        ("Maalgruppe", "Target group"),
        ColumnType.CHOICE,
        True,
        _l("Borgerens målgruppe, fra listen."),
        "Autisme",
        "target_groups",
    ),
    ColumnSpec(
        "case_reference",
        _l("Sagsnummer"),
        ("Sagsnr", "Journalnummer", "Case reference", "Case number"),
        ColumnType.TEXT,
        False,
        _l("Valgfrit: kommunens eller tilbuddets sagsnummer (aldrig et CPR-nummer)."),
        "2025-0117",
    ),
)

STAY_COLUMNS = (
    _ref(
        "external_ref",
        _l("Ophold-ID"),
        _l("Opholdets id i det system, data kommer fra (eller et løbenummer, fx O1, O2 ...)."),
        "O1",
        "Opholdsid",
        "Opholdsreference",
        "Opholdsnummer",
        "Stay ID",
        "Stay reference",
    ),
    _ref(
        "citizen_ref",
        _l("Borger-ID"),
        _l("Borgerens id som på arket Borgere (eller fra en tidligere indlæsning)."),
        "B1",
        "Borgerid",
        "Borgerreference",
        "Borgernummer",
        "Citizen ID",
        "Citizen reference",
    ),
    ColumnSpec(
        "unit_id",
        _l("Tilbud"),
        ("Tilbudsnavn", "Enhed", "Afdeling", "Tilbuds-id", "Unit", "Unit ID"),
        ColumnType.CHOICE,
        False,
        _l("Tilbuddets navn eller id, fra listen. Tom: det tilbud, indlæsningen er valgt til."),
        None,
        "units",
    ),
    ColumnSpec(
        "municipality_code",
        _l("Betalingskommune"),
        ("Kommune", "Kommunekode", "Handlekommune", "Municipality", "Paying municipality"),
        ColumnType.CHOICE,
        True,
        _l("Kommunens navn eller tre-cifrede kode, fx Odense eller 461."),
        "Odense",
        "municipalities",
    ),
    ColumnSpec(
        "legal_section",
        _l("Paragraf"),
        ("§", "Lovgrundlag", "Paragraf SEL", "Legal section", "Section"),
        ColumnType.CHOICE,
        True,
        _l("Serviceloven: § 85, 103, 104, 107 eller 108."),
        "§ 107",
        "sections",
    ),
    ColumnSpec(
        "start_date",
        _l("Startdato"),
        ("Start", "Indskrevet", "Indflytning", "Fra", "Start date", "Admitted"),
        ColumnType.DATE,
        True,
        _l("Fx 01.02.2025 (også 01-02-2025 og 2025-02-01)."),
        date(2025, 2, 1),
    ),
    ColumnSpec(
        "end_date",
        _l("Slutdato"),
        ("Slut", "Udskrevet", "Fraflytning", "Til", "End date", "Discharged"),
        ColumnType.DATE,
        False,
        _l("Tom, hvis opholdet fortsætter."),
        None,
    ),
    ColumnSpec(
        "tariff_level",
        _l("Takstniveau"),
        ("Niveau", "Tariff level"),
        ColumnType.TEXT,
        False,
        _l("Tom, hvis tilbuddet har én takst."),
        None,
    ),
)

SHEETS: dict[Kind, SheetSpec] = {
    Kind.CITIZENS: SheetSpec(
        Kind.CITIZENS,
        _l("Borgere"),
        ("Borger", "Citizens", "Citizen"),
        CITIZEN_COLUMNS,
        ("external_ref", "name", "birth_year"),
        CitizenRow,
    ),
    Kind.STAYS: SheetSpec(
        Kind.STAYS,
        _l("Ophold"),
        ("Indskrivninger", "Stays", "Stay"),
        STAY_COLUMNS,
        ("external_ref", "citizen_ref", "start_date"),
        StayRow,
    ),
}


# The purpose, goal and follow-up sheets build on the helpers above (each in its own module).
from del_tool.imports.sheets_answers import ANSWER_SHEET  # noqa: E402
from del_tool.imports.sheets_followups import FOLLOWUP_SHEET, REVIEW_SHEET  # noqa: E402
from del_tool.imports.sheets_goals import GOAL_SHEET  # noqa: E402
from del_tool.imports.sheets_purposes import PURPOSE_SHEET  # noqa: E402

SHEETS.update(
    {
        Kind.PURPOSES: PURPOSE_SHEET,
        Kind.GOALS: GOAL_SHEET,
        Kind.FOLLOWUPS: FOLLOWUP_SHEET,
        Kind.REVIEWS: REVIEW_SHEET,
        Kind.ANSWERS: ANSWER_SHEET,
    }
)


def kind_of(sheet_name: str, header_rows: list[list[str]]) -> Kind | None:
    """The kind a sheet holds: by its name, else the kind whose identifying columns a header
    row among `header_rows` (normalised texts) names."""
    name = normalise(sheet_name.rsplit(".", 1)[0])
    for spec in SHEETS.values():
        if name in spec.names():
            return spec.kind
    for names in header_rows:
        for spec in SHEETS.values():
            if spec.is_header(names):
                return spec.kind
    return None
