"""The organisation import of the web (an administrator's page) and the command line: a
Tilbudsportalen offer list (`offers_import`) or a tariff file (`tariffs_import`), checked, then
written all or nothing, every change in the history and the import itself after them.

`run_import` is the one path both take: it reads the file, checks every row and, with no row
refused, writes (`commit=True`) or works out what it would write (a dry run; the offers are
written inside a savepoint that is rolled back, so the counts are what a commit would do).
The caller commits. Organisation files are small (hundreds of rows), so the web runs this in
the request; no job is needed.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from del_tool.audit.services import record_change
from del_tool.imports.reading import MAX_BYTES
from del_tool.modelbase import local_today
from del_tool.organisation import offers_import, tariff_plan, tariffs_import
from del_tool.organisation.offers_import import RowProblem
from del_tool.organisation.tariffs_import import ANY_OPERATOR

#: The history's action and entity of an organisation import (after the records' own events).
IMPORT_ACTION = "import"
IMPORT_ENTITY = "organisation_imports"


class OrgKind(enum.StrEnum):
    """What an organisation file holds."""

    OFFERS = "offers"
    TARIFFS = "tariffs"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused row as shown: row (0: the header), the file's column header, the reason."""

    row: int
    column: str
    reason: Any


@dataclass(frozen=True, slots=True)
class CountRow:
    """One line of the counts: what (centres, units, places, tariffs) and how many of each."""

    label: Any
    create: int
    update: int | None = None
    unchanged: int | None = None
    refused: int | None = None


@dataclass(slots=True)
class Outcome:
    """What an import did, or would do: counts, refusals, and whether it wrote."""

    kind: OrgKind
    file_name: str
    digest: str
    counts: list[CountRow] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    written: bool = False

    @property
    def fingerprint(self) -> str:
        """SHA-256 of what the import would do (the file, the counts, the refused places): the
        confirmation writes only when its check gives the same as the dry run shown."""
        counts = [[c.create, c.update, c.unchanged, c.refused] for c in self.counts]
        refused = [[r.row, r.column] for r in self.refusals]
        text = json.dumps([self.kind, self.digest, counts, refused], separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_import(
    session: Session,
    *,
    kind: OrgKind,
    data: bytes,
    file_name: str,
    places_from: date | None = None,
    sheet: str | None = None,
    operator: str | None = ANY_OPERATOR,
    user_id: int | None = None,
    commit: bool = False,
    max_bytes: int = MAX_BYTES,
) -> Outcome:
    """Check `data` and, with no row refused and `commit`, write it (flushes, never commits).

    `operator` is the operator whose offers the importer manages (an administrator's
    `operator_code`); ANY_OPERATOR on the command line. `places_from` is the day an offer
    list's places take effect. Raises OfferFileError (one translated line) for a file that
    cannot be read at all.
    """
    outcome = Outcome(kind=kind, file_name=file_name, digest=hashlib.sha256(data).hexdigest())
    if kind is OrgKind.OFFERS:
        _offers(session, outcome, data, sheet, places_from, operator, user_id, commit, max_bytes)
    else:
        _tariffs(session, outcome, data, operator, user_id, commit, max_bytes)
    if commit and not outcome.refusals and (outcome.created or outcome.updated):
        record_change(
            session=session,
            user_id=user_id,
            action=IMPORT_ACTION,
            entity=IMPORT_ENTITY,
            entity_id=outcome.digest[:32],
            citizen_id=None,
            changes={
                "kind": [None, kind.value],
                "file_name": [None, file_name[:200]],
                "file_hash": [None, outcome.digest],
                "created": [None, outcome.created],
                "updated": [None, outcome.updated],
            },
        )
        outcome.written = True
    return outcome


def _refusals(
    problems: list[RowProblem], names: dict[str, str], headers: dict[str, Any]
) -> list[Refusal]:
    """The problems in row order, each column by the file's header (or the template's)."""
    return [
        Refusal(p.row, names.get(p.column) or str(headers.get(p.column, p.column)), p.reason)
        for p in sorted(problems, key=lambda p: p.row)
    ]


def _offers(
    session: Session,
    outcome: Outcome,
    data: bytes,
    sheet: str | None,
    places_from: date | None,
    operator: str | None,
    user_id: int | None,
    commit: bool,
    max_bytes: int,
) -> None:
    header, rows = offers_import.read_upload(
        data, outcome.file_name, sheet=sheet, max_bytes=max_bytes
    )
    result = offers_import.check_offers(session, header, rows)
    if operator != ANY_OPERATOR:
        for row in result.rows:
            if row.operator != operator:
                reason = _l("Tilbuddet drives af en anden driftsherre.")
                result.problems.append(RowProblem(row.row, "ownership", reason))
    if not result.problems:
        # A dry run writes inside a savepoint and rolls it back: the counts are the commit's.
        nested = None if commit else session.begin_nested()
        try:
            offers_import.apply_rows(
                session, result, places_from=places_from or local_today(), user_id=user_id
            )
        finally:
            if nested is not None:
                nested.rollback()
    refused = len({p.row for p in result.problems})
    outcome.refusals = _refusals(
        result.problems, offers_import.column_names(header), offers_import.HEADERS
    )
    outcome.counts = [
        CountRow(_l("Centre"), result.centres_created),
        CountRow(
            _l("Tilbud"), result.units_created, result.units_updated, result.unchanged, refused
        ),
        CountRow(_l("Pladstal"), result.places_set),
    ]
    outcome.created = result.centres_created + result.units_created + result.places_set
    outcome.updated = result.units_updated


def _tariffs(
    session: Session,
    outcome: Outcome,
    data: bytes,
    operator: str | None,
    user_id: int | None,
    commit: bool,
    max_bytes: int,
) -> None:
    header, rows = tariffs_import.read_upload(data, outcome.file_name, max_bytes=max_bytes)
    result = tariffs_import.check_tariffs(session, header, rows, operator=operator, lock=commit)
    if commit and not result.problems:
        tariff_plan.apply_tariffs(session, result, user_id=user_id)
    outcome.refusals = _refusals(
        result.problems, tariffs_import.column_names(header), tariffs_import.HEADERS
    )
    create, update = result.count("create"), result.count("update")
    outcome.counts = [
        CountRow(_l("Takster"), create, update, result.count("unchanged"), result.refused)
    ]
    outcome.created, outcome.updated = create, update
