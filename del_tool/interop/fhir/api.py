"""The FHIR import on the API: POST /api/v1/units/<unit_id>/fhir?sender=NAME with a Bundle.

A dry run by default (nothing is written; the answer is the plan: counts per kind, every
refusal with resource and element, how many likely duplicates and conflicts); `commit=true`
writes the accepted resources as `del-tool import fhir` does, under an `Idempotency-Key`
(the API's rule for writes: the same key and request replays the first answer). Leaders only
(`Permission.IMPORT_CITIZENS`, as the import pages), into a unit of their token's scope (their
centre): another unit is 403, an unknown one 404. The access log gets the citizens the dry run
shows (duplicates, conflicts), as on the command line.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from flask import Response
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import NotFound

from del_tool.api.auth import current_principal
from del_tool.api.problems import problem
from del_tool.api.views import CITIZENS, actor, bp, json_response
from del_tool.api.writes import idempotent
from del_tool.auth.permissions import Permission, requires
from del_tool.db import get_session
from del_tool.imports.commit import commit_plan, file_hash
from del_tool.imports.reading import ReadError
from del_tool.interop.fhir.identity import SYSTEM_NAME
from del_tool.interop.fhir.importing import FhirPlan, plan_fhir, read_resources, shown
from del_tool.organisation.models import Unit

ENDPOINT = "api.fhir_import"
NEEDS_KEY = _l("Skriv en Idempotency-Key, når indlæsningen skal gemmes (commit=true).")


class UnitPath(BaseModel):
    """A unit's id."""

    model_config = ConfigDict(extra="forbid")
    unit_id: int = Field(ge=1, le=2_147_483_647)


class FhirImportQuery(BaseModel):
    """The sender, and whether to write."""

    model_config = ConfigDict(extra="forbid")
    sender: str = Field(min_length=1, max_length=40, pattern=f"^{SYSTEM_NAME.pattern}$")
    commit: bool = False
    all_or_nothing: bool = False
    accept_duplicates: bool = False


class FhirImportHeaders(BaseModel):
    """The key a write (commit=true) needs."""

    idempotency_key: str | None = Field(
        default=None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
    )


class BundleIn(BaseModel):
    """A FHIR Bundle (its entries are checked by the import, resource by resource)."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Bundle"]  # noqa: N815 - FHIR's element name
    entry: list[dict[str, Any]] = Field(default_factory=list, max_length=20_000)


class KindCounts(BaseModel):
    """What the import does with the rows of one kind."""

    create: int
    update: int
    unchanged: int
    refused: int


class FhirRefusal(BaseModel):
    """A refused resource: which, which element, why."""

    resource: str
    element: str
    message: str


class FhirImportOut(BaseModel):
    """The plan, and whether it was written (with its import batch)."""

    committed: bool
    batch_id: int | None = None
    counts: dict[str, KindCounts]
    refusals: list[FhirRefusal]
    duplicates: int
    conflicts: int
    ignored: dict[str, int]


def _answer(result: FhirPlan, *, committed: bool, batch_id: int | None) -> FhirImportOut:
    plan = result.plan
    return FhirImportOut(
        committed=committed,
        batch_id=batch_id,
        counts={kind.value: KindCounts(**vars_of(plan.counts[kind])) for kind in plan.kinds},
        refusals=[
            FhirRefusal(resource=r.sheet, element=r.column, message=str(r.reason))
            for r in plan.refusals
        ],
        duplicates=len(plan.duplicates),
        conflicts=len(plan.conflicts),
        ignored=result.ignored,
    )


def vars_of(counts: Any) -> dict[str, int]:
    """A Counts as a dict."""
    return {k: getattr(counts, k) for k in ("create", "update", "unchanged", "refused")}


@bp.post(
    "/units/<int:unit_id>/fhir",
    tags=[CITIZENS],
    responses={200: FhirImportOut},
)
@requires(Permission.IMPORT_CITIZENS)
def fhir_import(
    path: UnitPath, query: FhirImportQuery, header: FhirImportHeaders, body: BundleIn
) -> Response:
    """Import an FFB-shaped Bundle into a unit of the token's scope: a dry run, or with
    commit=true a write (needs an Idempotency-Key); 403 for another unit, 404 for none."""
    db, who = get_session(), actor()
    if db.get(Unit, path.unit_id) is None:
        raise NotFound()
    if not current_principal().scope.allows_unit(path.unit_id):
        return problem(403)
    data = json.dumps(body.model_dump(mode="json")).encode()

    def run() -> tuple[int, BaseModel] | Response:
        try:
            raw = read_resources([("bundle.json", data)])
        except ReadError as error:
            return problem(422, error.message)
        result = plan_fhir(db, raw, scope={path.unit_id}, sender=query.sender, user_id=who.user_id)
        plan = result.plan
        db.add_all(shown(plan, user_id=who.user_id, endpoint=ENDPOINT))
        stopped = (plan.duplicates and not query.accept_duplicates) or (
            plan.refused and query.all_or_nothing
        )
        if not query.commit or stopped:
            return 200, _answer(result, committed=False, batch_id=None)
        batch = commit_plan(
            db,
            plan,
            actor=who,
            file_name="bundle.json",
            digest=file_hash(data),
            all_or_nothing=False,
        )
        return 200, _answer(result, committed=True, batch_id=batch.id)

    if not query.commit:
        answer = run()
        db.commit()  # the access events of what the dry run showed
        if isinstance(answer, Response):
            return answer
        return json_response(answer[1])
    if header.idempotency_key is None:
        return problem(422, NEEDS_KEY, errors=[{"field": "Idempotency-Key", "message": NEEDS_KEY}])
    return idempotent(header.idempotency_key, run, citizen_id=None)
