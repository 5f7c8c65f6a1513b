"""The questionnaire wording pages (text overlays); routed in `del_tool.admin.views`.

GET pages only show; an upload (POST) is checked and previewed without writing anything, and
only the confirming POST writes the file.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField, SubmitField

from del_tool.admin.pages import actor
from del_tool.admin.wording import (
    MAX_BYTES,
    Pending,
    check_upload,
    forget_pending,
    keep_pending,
    overlay_path,
    preview,
    save_overlay,
    take_pending,
)
from del_tool.auth.permissions import Permission, requires
from del_tool.forms import DelForm
from del_tool.logs import security_event
from del_tool.questionnaires import DefinitionError, current_registry
from del_tool.questionnaires.errors import Problem
from del_tool.questionnaires.schema import LANGS

LANGUAGE_NAMES = {"da": _l("Dansk"), "en": _l("Engelsk")}


class WordingUploadForm(DelForm):
    """Upload one questionnaire's wording in one language (a YAML text overlay)."""

    overlay = FileField(
        _l("Fil med ordlyden (.yaml)"),
        validators=[
            FileRequired(message=_l("Vælg en fil.")),
            FileAllowed(["yaml", "yml"], message=_l("Filen skal ende på .yaml eller .yml.")),
            FileSize(max_size=MAX_BYTES, message=_l("Filen må højst fylde 64 KB.")),
        ],
    )


class WordingConfirmForm(DelForm):
    """Save or drop a previewed upload (kept server-side under `token`)."""

    token = HiddenField()
    save = SubmitField(_l("Gem ordlyden"))
    cancel = SubmitField(_l("Fortryd"))


def _problem_text(problem: Problem) -> str:
    """One problem of an upload: where in the file, and what is wrong."""
    where = "" if problem.path == "(file)" else f"{problem.path}: "
    line = _(" (linje %(line)s)", line=problem.line) if problem.line is not None else ""
    return f"{where}{problem.reason}{line}"


def _checked(qid: str, lang: str) -> None:
    """404 unless `qid` is a loaded questionnaire and `lang` a supported language."""
    if lang not in LANGS or qid not in current_registry():
        abort(404)


@requires(Permission.MANAGE_ORGANISATION)
def questionnaires() -> ResponseReturnValue:
    """Each questionnaire with its languages and whether this deployment has wording for them."""
    rows = []
    for definition in current_registry().current():
        languages = [
            {
                "lang": lang,
                "name": LANGUAGE_NAMES.get(lang, lang),
                "overlay": overlay_path(current_app, definition.id, lang).is_file(),
                "complete": definition.wording_available(lang),
            }
            for lang in LANGS
        ]
        rows.append({"definition": definition, "languages": languages})
    return render_template("admin/questionnaires.html", rows=rows)


@requires(Permission.MANAGE_ORGANISATION)
def upload_wording(qid: str, lang: str) -> ResponseReturnValue:
    """The upload form (GET); a checked upload's preview, or its problems beside the field."""
    _checked(qid, lang)
    form = WordingUploadForm()
    definition = current_registry().get(qid)
    context = {
        "definition": definition,
        "lang": lang,
        "language": LANGUAGE_NAMES.get(lang, lang),
        "exists": overlay_path(current_app, qid, lang).is_file(),
    }
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("admin/wording_upload.html", form=form, **context), status
    data = form.overlay.data.read(MAX_BYTES + 1)
    problems: list[Problem] = []
    text = ""
    if len(data) > MAX_BYTES:
        form.overlay.errors = [_("Filen må højst fylde 64 KB.")]
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            form.overlay.errors = [_("Filen skal være tekst i UTF-8.")]
        else:
            overlay, problems = check_upload(current_app, qid, lang, data)
            if overlay is not None:
                token = keep_pending(Pending(actor().id or 0, qid, lang, text))
                confirm = WordingConfirmForm(formdata=None, token=token)
                shown = preview(current_app, overlay)
                return render_template(
                    "admin/wording_preview.html", form=confirm, preview=shown, **context
                )
            form.overlay.errors = [_problem_text(p) for p in problems]
    return render_template("admin/wording_upload.html", form=form, **context), 400


@requires(Permission.MANAGE_ORGANISATION)
def save_wording(qid: str, lang: str) -> ResponseReturnValue:
    """Save a previewed upload to the overlay file ("Gem ordlyden"), or drop it ("Fortryd")."""
    _checked(qid, lang)
    form = WordingConfirmForm()
    back = url_for("admin.upload_wording", qid=qid, lang=lang)
    if not form.validate_on_submit():
        flash(_("Formularen var udløbet. Læg filen op igen."), "error")
        return redirect(back)
    token = form.token.data or ""
    user_id = actor().id or 0
    pending = take_pending(token, user_id=user_id, qid=qid, lang=lang)
    if pending is not None:
        forget_pending(token)
    if form.cancel.data:
        flash(_("Ordlyden er ikke gemt."), "info")
        return redirect(url_for("admin.questionnaires"))
    if pending is None:
        flash(_("Den lagte fil er udløbet eller ikke din. Læg filen op igen."), "error")
        return redirect(back)
    try:
        path = save_overlay(current_app, qid, lang, pending.text)
    except DefinitionError as exc:
        current_app.logger.warning("questionnaire wording not saved: %s", exc)
        flash(_("Ordlyden kunne ikke gemmes, fordi spørgeskemaerne så ikke kan indlæses."), "error")
        return redirect(back)
    current_app.logger.info(
        "questionnaire wording changed: %s (%s) in %s by user %s", qid, lang, path, user_id
    )
    security_event(
        "questionnaire.wording_changed", questionnaire=qid, language=lang, user_id=user_id
    )
    flash(
        _(
            "Ordlyden er gemt og bruges nu her. Andre web-processer og job-processen bruger "
            "den, når de genstartes næste gang."
        ),
        "success",
    )
    return redirect(url_for("admin.questionnaires"))
