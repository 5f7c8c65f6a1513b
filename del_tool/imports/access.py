"""Who imports: leaders (Permission.IMPORT_CITIZENS), into the units of their centre; and what
an import's dry run leaves in the access log.

The dry run lists, beside each new citizen row, the existing citizens in the scope it resembles
(name, birth year, unit): a read of those citizens' data, so each shown citizen gets an access
event (SECURITY.md "an access log of every view ... of a citizen's data"), on the command line
under the endpoint `CLI_ENDPOINT` and on the web under the page's endpoint. A conflict shows
DEL's values of a record beside the file's, a read of that citizen's data too
(`shown_conflicts`).
"""

from __future__ import annotations

from typing import Any

from del_tool.audit.models import AccessEvent
from del_tool.audit.services import access_event
from del_tool.auth.permissions import Permission
from del_tool.citizens.duplicates import CHECK_ACTION

#: The permission of the import pages (leaders only).
IMPORT_PERMISSION = Permission.IMPORT_CITIZENS
#: The access log's endpoint of `del-tool import`.
CLI_ENDPOINT = "cli:import"


def shown_duplicates(
    citizen_ids: list[int], *, user_id: int | None, endpoint: str, detail: str
) -> list[AccessEvent]:
    """One access event per existing citizen shown as a likely duplicate (once each)."""
    return [
        access_event(
            user_id=user_id,
            action=CHECK_ACTION,
            citizen_id=citizen_id,
            endpoint=endpoint,
            detail=detail,
        )
        for citizen_id in dict.fromkeys(citizen_ids)
    ]


def duplicate_ids(plan: Any) -> list[int]:
    """The existing citizens a plan shows as likely duplicates, in the order shown."""
    return [d.similar.citizen_id for d in plan.duplicates]


#: The access log's action when a dry run shows DEL's values of a record beside the file's.
CONFLICT_ACTION = "import_conflict"


def shown_conflicts(
    citizen_ids: list[int | None], *, user_id: int | None, endpoint: str, detail: str
) -> list[AccessEvent]:
    """One access event per citizen whose record a dry run shows as a conflict (once each)."""
    return [
        access_event(
            user_id=user_id,
            action=CONFLICT_ACTION,
            citizen_id=citizen_id,
            endpoint=endpoint,
            detail=detail,
        )
        for citizen_id in dict.fromkeys(citizen_ids)
        if citizen_id is not None
    ]


def shown_in_plan(
    plan: Any, *, user_id: int | None, endpoint: str, detail: str
) -> list[AccessEvent]:
    """Access events of the citizens a dry run shows: the likely duplicates (`detail`) and the
    records changed in DEL since they were imported (`detail`: changed in DEL)."""
    return shown_duplicates(
        duplicate_ids(plan), user_id=user_id, endpoint=endpoint, detail=detail
    ) + shown_conflicts(
        [c.citizen_id for c in plan.conflicts],
        user_id=user_id,
        endpoint=endpoint,
        detail=f"{detail}: changed in DEL",
    )
