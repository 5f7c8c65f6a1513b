"""The `admin` blueprint: its URL table, and the tabs shown on every administration page.

The pages live in `user_views` (users, Permission.MANAGE_USERS) and `organisation_views` (units,
Permission.MANAGE_ORGANISATION; tariffs, Permission.MANAGE_TARIFFS, which analysts hold too),
`economy_views` (a unit's places, Permission.MANAGE_ORGANISATION; the price index and
settlements, Permission.MANAGE_TARIFFS), `org_import_views` (the organisation import: offer
lists, Permission.MANAGE_ORGANISATION; tariffs, Permission.MANAGE_TARIFFS) and `wording_views`
(questionnaire wording, Permission.MANAGE_ORGANISATION).
Views are thin: validate the form, then `del_tool.saving.save_form` calls a service with the
logged-in user as actor, commits once, flashes and redirects. A value the service refuses
(RuleError) is shown beside its field; a stale form reloads the page with the stored record and
the conflict message, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from del_tool.admin import economy_views as economy
from del_tool.admin import org_import_views as org_import
from del_tool.admin import organisation_views as org
from del_tool.admin import user_views as users
from del_tool.admin import wording_views as wording
from del_tool.auth.permissions import endpoint_permission, has_permission

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

GET_POST = ["GET", "POST"]
#: rule, endpoint, view, methods
ROUTES: tuple[tuple[str, str, Any, list[str]], ...] = (
    ("/users", "users", users.users, ["GET"]),
    ("/users/new", "create_user", users.create_user, GET_POST),
    ("/users/<int:user_id>", "edit_user", users.edit_user, GET_POST),
    ("/users/<int:user_id>/deactivate", "deactivate_user", users.deactivate_user, ["POST"]),
    ("/users/<int:user_id>/reactivate", "reactivate_user", users.reactivate_user, ["POST"]),
    ("/users/<int:user_id>/password", "reset_password", users.reset_user_password, GET_POST),
    ("/users/<int:user_id>/unlock-login", "unlock_login", users.unlock_user_login, ["POST"]),
    ("/units", "units", org.units, ["GET"]),
    ("/units/<int:unit_id>", "edit_unit", org.edit_unit, GET_POST),
    ("/tariffs", "tariffs", org.tariffs, ["GET"]),
    ("/tariffs/new", "create_tariff", org.create_tariff_page, GET_POST),
    ("/tariffs/<int:tariff_id>", "edit_tariff", org.edit_tariff, GET_POST),
    ("/tariffs/<int:tariff_id>/end", "end_tariff", org.end_tariff_page, GET_POST),
    ("/units/<int:unit_id>/places", "unit_places", economy.places, GET_POST),
    ("/price-index", "price_index", economy.price_index, ["GET"]),
    ("/price-index/new", "create_price_index", economy.create_price_index, GET_POST),
    ("/price-index/<int:year>", "edit_price_index", economy.edit_price_index, GET_POST),
    ("/settlements", "settlements", economy.settlements, ["GET"]),
    ("/settlements/new", "create_settlement", economy.create_settlement_page, GET_POST),
    ("/settlements/<int:settlement_id>", "edit_settlement", economy.edit_settlement, GET_POST),
    ("/import/offers", "import_offers", org_import.import_offers, GET_POST),
    ("/import/offers/confirm", "confirm_offers", org_import.confirm_offers, ["POST"]),
    ("/import/tariffs", "import_tariffs", org_import.import_tariffs, GET_POST),
    ("/import/tariffs/confirm", "confirm_tariffs", org_import.confirm_tariffs, ["POST"]),
    ("/import/tariffs/template", "tariff_template", org_import.tariff_template, ["GET"]),
    ("/questionnaires", "questionnaires", wording.questionnaires, ["GET"]),
    ("/questionnaires/<qid>/<lang>", "upload_wording", wording.upload_wording, GET_POST),
    ("/questionnaires/<qid>/<lang>/save", "save_wording", wording.save_wording, ["POST"]),
)


def add_routes(blueprint: Blueprint) -> None:
    """Route every administration page on `blueprint`."""
    for rule, endpoint, view, methods in ROUTES:
        blueprint.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=methods)


add_routes(bp)

#: Tabs across the administration pages: endpoint, label, URL prefix.
TABS = (
    ("admin.users", _l("Brugere"), "/admin/users"),
    ("admin.units", _l("Tilbud"), "/admin/units"),
    ("admin.tariffs", _l("Takster"), "/admin/tariffs"),
    ("admin.price_index", _l("Pris- og lønindeks"), "/admin/price-index"),
    ("admin.settlements", _l("Efterreguleringer"), "/admin/settlements"),
    ("admin.import_tariffs", _l("Indlæsning"), "/admin/import"),
    ("admin.questionnaires", _l("Spørgeskemaer"), "/admin/questionnaires"),
    ("tokens.admin", _l("API-nøgler"), "/admin/tokens"),
)


@bp.context_processor
def admin_tabs() -> dict[str, Any]:
    """The administration tabs the current user may open, the current one marked."""
    tabs = []
    for endpoint, label, prefix in TABS:
        permission = endpoint_permission(endpoint)
        if permission is not None and has_permission(current_user, permission):
            tabs.append(
                {"endpoint": endpoint, "label": label, "current": request.path.startswith(prefix)}
            )
    return {"admin_tabs": tabs}
