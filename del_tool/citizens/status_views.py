"""The status statement pages (`citizens.status`, `citizens.status_pdf`): a GET form for the
period, the language and the notes to include, the statement as a page, and its PDF.

Both are reads of citizen data and are logged (actions "view" and "export"); nothing else is
written. The charts are drawn in the request from the period's scores (the profile's stored
charts show the whole record, not the period): the functioning panels and one chart per
questionnaire scale, about 0.2-0.3 s for all four instruments on a shared two-core machine,
plus matplotlib's import (about 0.6 s) on a process's first statement. The PDF is made in the
request too, like a report's page: WeasyPrint takes about a second for the three pages.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from del_tool.auth.permissions import Permission, requires
from del_tool.charts import Chart
from del_tool.citizens.access import get_citizen
from del_tool.citizens.forms import StatusForm
from del_tool.citizens.status import StatusStatement, build_status, default_period
from del_tool.citizens.viewhelpers import current_actor, log_read, ui_lang
from del_tool.db import get_session
from del_tool.i18n import format_day
from del_tool.modelbase import local_today
from del_tool.questionnaires import current_registry

_FILE_UNSAFE = re.compile(r"[^\w.-]+")


@requires(Permission.VIEW_CITIZENS)
def status(citizen_id: int) -> ResponseReturnValue:
    """The statement for the period and language chosen (default: the last six months, in the
    UI's language); a period that cannot be read is an error beside its field, nothing else."""
    db = get_session()
    actor = current_actor()
    citizen = get_citizen(db, actor, citizen_id)
    form = _form()
    statement = body = None
    if form.validate() and form.parsed_period is not None:
        log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="status")
        statement = _statement(db, actor, citizen_id, form)
        lang = str(form.lang.data)
        with force_locale(lang):
            # Our own template, autoescaped, rendered in the statement's language: no user text
            # is marked safe, only the escaped output of render_template.
            body = Markup(  # noqa: S704  # nosec B704
                render_template(
                    "citizens/_status_body.html",
                    s=statement,
                    charts=_charts(statement, lang),
                    pdf=False,
                )
            )
    else:
        log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="status form")
    return render_template(
        "citizens/status.html",
        citizen=citizen,
        form=form,
        statement=statement,
        body=body,
        chosen=_note_ids(),
        pdf_args={
            "period": form.period.data,
            "lang": form.lang.data,
            "notes": sorted(n.follow_up_id for n in statement.chosen_notes) if statement else [],
        },
    )


def _statement(db: Any, actor: Any, citizen_id: int, form: Any) -> Any:
    """The statement for a validated form: its period and the notes ticked."""
    return build_status(
        session=db,
        actor=actor,
        citizen_id=citizen_id,
        period=form.parsed_period,
        note_ids=_note_ids(),
    )


@requires(Permission.VIEW_CITIZENS)
def status_pdf(citizen_id: int) -> ResponseReturnValue:
    """The statement as a PDF in the chosen language (an unreadable period: the form page)."""
    from del_tool.reports.rendering.names import content_disposition
    from del_tool.reports.rendering.pages import pdf_from_html

    db = get_session()
    actor = current_actor()
    get_citizen(db, actor, citizen_id)
    form = _form()
    if not (form.validate() and form.parsed_period is not None):
        return status(citizen_id)
    log_read(db, actor=actor, action="export", citizen_id=citizen_id, detail="status pdf")
    statement = _statement(db, actor, citizen_id, form)
    lang = str(form.lang.data)
    with force_locale(lang):
        html = status_pdf_html(statement, lang)
        name = file_name(statement.profile.citizen.name, local_today())
    response = make_response(pdf_from_html(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "no-store"
    return response


def status_pdf_html(statement: StatusStatement, lang: str) -> str:
    """The HTML WeasyPrint turns into the statement's PDF (in the current locale)."""
    return render_template(
        "citizens/status_pdf.html",
        s=statement,
        charts=_charts(statement, lang),
        language=lang,
        pdf=True,
        generated=format_day(local_today()),
    )


def file_name(citizen_name: str, day: date) -> str:
    """ "Statusudtalelse-Anna-Jensen-05.01.2026.pdf" (the words in the current language)."""
    stem = _FILE_UNSAFE.sub("-", f"{_('Statusudtalelse')} {citizen_name} {format_day(day)}")
    return f"{stem.strip('-.')[:150]}.pdf"


def _form() -> StatusForm:
    """The form from the URL; without a period, the default period in the UI's language."""
    args = request.args.to_dict()
    if "period" not in args:
        period = default_period(local_today())
        args["period"] = f"{format_day(period.start)}..{format_day(period.end)}"
    args.setdefault("lang", ui_lang())
    return StatusForm(MultiDict(args))


def _note_ids() -> set[int]:
    """The ticked notes' follow-up ids; `build_status` keeps only the period's."""
    return {int(v) for v in request.args.getlist("notes") if v.isdigit() and len(v) < 12}


def _charts(statement: StatusStatement, lang: str) -> list[Chart]:
    """The period's score charts (drawn now; see the module docstring)."""
    from del_tool.citizens.charts import FUNCTIONING_ID, functioning_chart, questionnaire_charts

    registry = current_registry()
    charts: list[Chart | None] = []
    if FUNCTIONING_ID in registry:
        charts.append(functioning_chart(statement.series, registry.get(FUNCTIONING_ID), lang))
    charts.extend(questionnaire_charts(statement.series, registry, lang))
    return [c for c in charts if c is not None]
