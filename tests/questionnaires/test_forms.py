"""Generated forms: DKFDS markup, valid answers accepted, bad ones refused beside the item."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form, FormField

from del_tool.questionnaires import (
    QuestionnaireDefinition,
    Registry,
    current_registry,
    definition_from_mapping,
)
from del_tool.questionnaires.forms import AssessmentForm, assessment_form_class
from del_tool.questionnaires.rules import RESERVED_ITEM_IDS

from .conftest import SHIPPED_IDS

MACRO = (
    '{% from "questionnaires/_assessment.html" import render_assessment %}'
    "{{ render_assessment(form) }}"
)


@pytest.fixture
def ctx(form_app: Flask) -> Iterator[None]:
    """A request context of the real app (forms need one for translations)."""
    with form_app.test_request_context():
        yield


def render(form: AssessmentForm) -> str:
    """The macro's HTML for one form."""
    return render_template_string(MACRO, form=form)


def group_of(html: str, field_id: str) -> str:
    """The form-group div that holds one item's fieldset."""
    start = html.rindex('<div class="form-group', 0, html.index(f'id="{field_id}-legend"'))
    return html[start : html.index("</fieldset>", start)]


def valid_post(definition: QuestionnaireDefinition, prefix: str = "") -> MultiDict[str, str]:
    """Every item answered with its last option."""
    return MultiDict({f"{prefix}{i.id}": str(i.option_values[-1]) for i in definition.items})


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize("qid", SHIPPED_IDS)
def test_shipped_definition_renders_accessible_radio_groups(
    shipped_registry: Registry, qid: str
) -> None:
    """One fieldset with a legend per item, DKFDS radio markup, labels linked, the licence."""
    definition = shipped_registry.get(qid)
    html = render(assessment_form_class(definition, lang="da")())
    assert html.count("<fieldset") == len(definition.items)
    assert html.count('<legend class="form-label"') == len(definition.items)
    for item in definition.items:
        assert (
            f'<legend class="form-label" id="{item.id}-legend">{item.text("da")}</legend>' in html
        )
        for n, option in enumerate(item.options):
            assert (
                f'<input type="radio" id="{item.id}-{n}" name="{item.id}" class="form-radio" '
                f'value="{option.value}"'
            ) in html
            assert f'<label class="form-label" for="{item.id}-{n}">' in html
        assert f'id="{item.id}-none" name="{item.id}" class="form-radio" value=""' in html
    assert "form-error" not in html
    assert definition.licence.name in html
    assert definition.licence.terms("da") in html
    assert f'<h2 id="{definition.id}-assessment-title">{definition.title("da")}</h2>' in html


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize("qid", SHIPPED_IDS)
def test_shipped_definition_accepts_valid_answers(shipped_registry: Registry, qid: str) -> None:
    """All items answered with allowed values: valid, answers typed, every scale scored."""
    definition = shipped_registry.get(qid)
    form = assessment_form_class(definition, lang="en")(valid_post(definition))
    assert form.validate(), form.errors
    assert form.answers() == {item.id: item.option_values[-1] for item in definition.items}
    assert form.unscored_scales() == []
    assert all(score.value is not None for score in form.scores().scales.values())


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize("qid", SHIPPED_IDS)
@pytest.mark.parametrize("posted", ["9", "-1", "abc", "1.5"])
def test_out_of_range_answer_is_refused_beside_the_item(
    shipped_registry: Registry, qid: str, posted: str
) -> None:
    """A value that is not one of the options gives an error in that item's form group."""
    definition = shipped_registry.get(qid)
    data = valid_post(definition)
    target = definition.items[1].id
    data[target] = posted
    form = assessment_form_class(definition, lang="da")(data)
    assert not form.validate()
    assert list(form.errors) == [target]
    assert [str(e) for e in form.errors[target]] == ["Vælg et af de viste svar."]
    assert form.answers()[target] is None
    group = group_of(render(form), target)
    assert group.startswith('<div class="form-group form-error">')
    assert (
        f'aria-describedby="{target}-error"' in group or f'{target}-hint {target}-error"' in group
    )
    assert re.search(
        rf'<span class="form-error-message" id="{target}-error">'
        r'<span class="sr-only">[^<]+</span>Vælg et af de viste svar.</span>',
        group,
    )


@pytest.mark.usefixtures("ctx")
def test_missing_required_answer_is_refused(definition_data: dict[str, Any]) -> None:
    """Item a is required: leaving it out (or posting "Not answered") is an error beside it."""
    definition = definition_from_mapping(definition_data)
    form_class = assessment_form_class(definition, lang="en")
    for data in ({"b": "1"}, {"a": "", "b": "1"}):
        form = form_class(MultiDict(data))
        assert not form.validate()
        assert {k: [str(e) for e in v] for k, v in form.errors.items()} == {
            "a": ["Besvar spørgsmålet."]
        }
        html = render(form)
        assert "Besvar spørgsmålet." in group_of(html, "a")
        assert "(skal besvares)" in group_of(html, "a")
        assert 'id="a-none"' not in html  # a required item offers no "Not answered"


@pytest.mark.usefixtures("ctx")
def test_missing_optional_answers_are_allowed_and_announced(shipped_registry: Registry) -> None:
    """Unanswered optional items pass; the form says which scales will get no score."""
    definition = shipped_registry.get("del_functioning")
    form = assessment_form_class(definition, lang="en")(
        MultiDict({"relations": "1", "communication": "", "mobility": "2"})
    )
    assert form.validate(), form.errors
    assert form.answers()["communication"] is None
    assert [s.id for s in form.unscored_scales()] == [
        "communication",
        "self_care",
        "community_life",
        "practical_tasks",
        "mean",
    ]
    html = render(form)
    assert "Disse scorer bliver ikke beregnet, fordi for få spørgsmål er besvaret:" in html
    assert "<li>Mean of themes (kræver 4 af 6 besvaret)</li>" in html
    assert (
        'id="communication-none" name="communication" class="form-radio" value="" checked' in html
    )
    assert 'id="relations-1" name="relations" class="form-radio" value="1" checked' in html


@pytest.mark.usefixtures("ctx")
def test_empty_form_shows_no_scoring_warning(shipped_registry: Registry) -> None:
    """Before anything is answered there is nothing to warn about."""
    form = assessment_form_class(shipped_registry.get("who5"), lang="da")()
    assert not form.has_answers()
    assert "alert-warning" not in render(form)


@pytest.mark.usefixtures("ctx")
def test_labels_follow_the_language(shipped_registry: Registry) -> None:
    """Danish and English forms take their texts from the definition's da/en texts."""
    profile = shipped_registry.get("del_functioning")
    da = render(assessment_form_class(profile, lang="da")())
    en = render(assessment_form_class(profile, lang="en")())
    assert ">Egenomsorg</legend>" in da
    assert ">Self-care</legend>" in en
    assert "Fuldstændigt nedsat funktionsevne" in da
    assert "Completely reduced functioning" in en
    who5 = render(assessment_form_class(shipped_registry.get("who5"), lang="en")())
    assert ">Item 3</legend>" in who5


@pytest.mark.usefixtures("ctx")
def test_anchor_descriptions_are_linked_to_their_radio(shipped_registry: Registry) -> None:
    """Each level's description is the radio's accessible description."""
    html = render(assessment_form_class(shipped_registry.get("del_functioning"), lang="en")())
    assert (
        'value="4" aria-describedby="mobility-4-hint">\n'
        '        <label class="form-label" for="mobility-4">'
        "Completely reduced functioning</label>\n"
        '        <span class="form-hint" id="mobility-4-hint">The citizen cannot carry out'
    ) in html
    assert 'aria-describedby="mobility-hint"' in html  # the theme's hint describes the group


@pytest.mark.usefixtures("ctx")
def test_missing_licensed_wording_is_explained(shipped_registry: Registry) -> None:
    """Without an overlay the form says why the questions show neutral labels."""
    html = render(assessment_form_class(shipped_registry.get("phq9"), lang="en")())
    assert "Spørgsmålenes ordlyd er ikke lagt ind i denne installation" in html
    # The alert agrees with the licence box below it: no "use the paper form", but where the
    # terms are and how an administrator adds the wording.
    assert "(Public domain)" in html and "instance/questionnaires/phq9.en.yaml" in html
    assert "trykte" not in html
    assert "No permission is required to reproduce" in html  # the licence box
    own = render(assessment_form_class(shipped_registry.get("del_functioning"), lang="en")())
    assert "ikke lagt ind i denne installation" not in own


@pytest.mark.usefixtures("ctx")
def test_nested_in_a_csrf_protected_flask_form(shipped_registry: Registry) -> None:
    """The follow-up form nests the assessment with FormField; ids and names get a prefix."""
    definition = shipped_registry.get("who5")

    class FollowUpForm(FlaskForm):
        who5 = FormField(assessment_form_class(definition, lang="da"))

    form = FollowUpForm(formdata=valid_post(definition, prefix="who5-"))
    assert form.validate(), form.errors
    assert form.who5.form.answers() == {f"q{n}": 5 for n in range(1, 6)}
    html = render(form.who5.form)
    assert 'id="who5-assessment"' in html
    assert 'name="who5-q1" class="form-radio" value="5" checked' in html
    assert "csrf_token" not in html  # the outer FlaskForm carries the CSRF token


def test_form_is_a_plain_wtforms_form(shipped_registry: Registry) -> None:
    """No CSRF of its own, so it can be nested and used standalone."""
    form_class = assessment_form_class(shipped_registry.get("gad7"), lang="da")
    assert issubclass(form_class, Form)
    assert not issubclass(form_class, FlaskForm)


def test_reserved_item_ids_cover_every_form_attribute() -> None:
    """An item id may not shadow an attribute of the generated form (a rule checks this)."""
    public = {name for name in dir(AssessmentForm) if not name.startswith("_") and name.islower()}
    instance = {"meta", "form_errors"}
    assert public | instance <= RESERVED_ITEM_IDS


def test_current_registry_is_the_one_the_app_loaded(form_app: Flask) -> None:
    """current_registry() reads app.extensions inside an app context."""
    with form_app.app_context():
        assert current_registry().ids() == list(SHIPPED_IDS)


def test_app_refuses_to_start_on_invalid_definitions(tmp_path: Any, write_yaml: Any) -> None:
    """A broken definition stops start-up with a pointer to the check command."""
    from del_tool import ConfigError, create_app

    write_yaml(tmp_path / "q" / "bad.yaml", "id: bad\n")
    with pytest.raises(ConfigError, match="del-tool questionnaires check"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key-that-is-long-enough-for-checks",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "QUESTIONNAIRE_DIR": str(tmp_path / "q"),
            }
        )
