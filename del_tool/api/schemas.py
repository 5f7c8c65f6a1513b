"""The API's request and response models (pydantic): what /api/v1/openapi.json describes.

Write bodies carry the same limits as the forms (lengths, levels 0-4, enums); the forms
themselves then validate the values (`del_tool.api.writes`), and the services apply the rules.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from del_tool.citizens.models import Sex
from del_tool.followups.forms import NOTE_MAX
from del_tool.followups.models import FollowUpKind
from del_tool.goals.models import GoalDirection, GoalStatus, Theme
from del_tool.organisation.models import LegalSection, TargetGroup

MAX_ID = 2**31 - 1


class Closed(BaseModel):
    """A model that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid")


# -- problems -------------------------------------------------------------------------------
class FieldProblem(BaseModel):
    """One refused field of a request: its name (a JSON path for bodies) and why."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem detail (`application/problem+json`)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


# -- paths, queries and headers -------------------------------------------------------------
class CitizenPath(Closed):
    """A citizen's id."""

    citizen_id: int = Field(ge=1, le=MAX_ID)


class StayPath(Closed):
    """A stay's id."""

    stay_id: int = Field(ge=1, le=MAX_ID)


class GoalPath(Closed):
    """A goal's id."""

    goal_id: int = Field(ge=1, le=MAX_ID)


class FollowUpPath(Closed):
    """A follow-up's id."""

    follow_up_id: int = Field(ge=1, le=MAX_ID)


class WriteHeaders(BaseModel):
    """Every write names an idempotency key: the same key and body replays the first answer."""

    idempotency_key: str = Field(
        alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"
    )


class ReportQuery(Closed):
    """Which internal report: as the report form's fields (`del_tool.reports.forms`)."""

    kind: str = Field(default="effect", max_length=20)
    scope: str | None = Field(default=None, max_length=40)
    period: str = Field(max_length=30)
    section: str = Field(default="", max_length=10)
    target_group: str = Field(default="", max_length=40)
    municipality: str = Field(default="", max_length=3)


class CouncilQuery(Closed):
    """Which municipality's council summary, for which period."""

    municipality: str | None = Field(default=None, max_length=3)
    period: str | None = Field(default=None, max_length=30)


# -- organisation and questionnaires --------------------------------------------------------
class CentreOut(BaseModel):
    """A centre."""

    id: int
    name: str
    target_group: TargetGroup


class UnitOut(BaseModel):
    """A unit (tilbud) of a centre."""

    id: int
    centre_id: int
    name: str
    target_group: TargetGroup
    followup_interval_days: int
    active: bool


class MunicipalityOut(BaseModel):
    """A municipality by its official code."""

    code: str
    name: str


class Organisation(BaseModel):
    """Centres, units and municipalities."""

    centres: list[CentreOut]
    units: list[UnitOut]
    municipalities: list[MunicipalityOut]


class QuestionnaireItemOut(BaseModel):
    """An item: id, whether required, the values it takes."""

    id: str
    required: bool
    values: list[int]


class QuestionnaireScaleOut(BaseModel):
    """A scale: id, title, items, how scored and which way is better."""

    id: str
    title: str
    items: list[str]
    method: str
    higher_is_better: bool


class QuestionnaireOut(BaseModel):
    """A questionnaire definition's current version."""

    id: str
    version: str
    title: str
    perspective: str
    items: list[QuestionnaireItemOut]
    scales: list[QuestionnaireScaleOut]


class QuestionnaireList(BaseModel):
    """The current questionnaire definitions."""

    questionnaires: list[QuestionnaireOut]


# -- citizens, stays, goals, follow-ups -----------------------------------------------------
class CitizenOut(BaseModel):
    """A citizen (no CPR number: DEL holds none)."""

    id: int
    name: str
    birth_year: int
    sex: Sex
    target_group: TargetGroup
    case_reference: str | None


class CitizenList(BaseModel):
    """Citizens in the token's scope."""

    citizens: list[CitizenOut]


class StayOut(BaseModel):
    """A stay in a unit, paid for by a municipality."""

    id: int
    citizen_id: int
    unit_id: int
    municipality_code: str
    legal_section: LegalSection
    start_date: date
    end_date: date | None


class StayList(BaseModel):
    """The citizen's stays the token sees."""

    stays: list[StayOut]


class GoalOut(BaseModel):
    """A goal with its levels, GAS texts, dates and status."""

    id: int
    citizen_id: int
    stay_id: int
    theme: Theme
    title: str
    description: str
    direction: GoalDirection
    baseline_level: int
    target_level: int
    weight: float
    start_date: date
    review_date: date | None
    status: GoalStatus
    closed_on: date | None
    gas_minus2: str | None
    gas_minus1: str | None
    gas_zero: str | None
    gas_plus1: str | None
    gas_plus2: str | None
    version: int


class GoalList(BaseModel):
    """The citizen's goals the token sees."""

    goals: list[GoalOut]


class ReviewOut(BaseModel):
    """The review of one goal at a follow-up."""

    goal_id: int
    level: int
    gas_score: int | None
    citizen_rating: int | None
    motivation: int | None
    note: str


class ScoreOut(BaseModel):
    """A scale score computed when the answers were saved."""

    scale_id: str
    value: float | None
    n_answered: int
    prorated: bool


class AssessmentOut(BaseModel):
    """A questionnaire answered at a follow-up, with its scores."""

    questionnaire_id: str
    questionnaire_version: str
    answers: dict[str, int | None]
    completeness: float
    scores: list[ScoreOut]


class FollowUpOut(BaseModel):
    """A follow-up: date, kind, note, goal reviews and questionnaires."""

    id: int
    citizen_id: int
    stay_id: int
    followup_date: date
    kind: FollowUpKind
    note: str
    version: int
    reviews: list[ReviewOut]
    assessments: list[AssessmentOut]


class FollowUpList(BaseModel):
    """The citizen's follow-ups the token sees, newest first."""

    follow_ups: list[FollowUpOut]


class CaseloadRowOut(BaseModel):
    """A citizen in a stay today and when the next follow-up is due."""

    citizen_id: int
    name: str
    stay_id: int
    unit_id: int
    last_followup: date | None
    due: date
    due_kind: FollowUpKind
    status: str = Field(description="overdue, week (due this week), soon or later")
    days_overdue: int
    goals_due: int


class Caseload(BaseModel):
    """The caseload on `today`: every row, overdue first."""

    today: date
    overdue: int
    due_this_week: int
    rows: list[CaseloadRowOut]


# -- writes ---------------------------------------------------------------------------------
class GoalIn(Closed):
    """A new goal, as the goal form takes it; its stay is the one covering `start_date`."""

    theme: Theme
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    direction: GoalDirection
    baseline_level: int = Field(ge=0, le=4)
    target_level: int = Field(ge=0, le=4)
    weight: float = Field(default=1.0, gt=0, le=10)
    start_date: date
    review_date: date | None = None
    gas_minus2: str | None = Field(default=None, max_length=500)
    gas_minus1: str | None = Field(default=None, max_length=500)
    gas_zero: str | None = Field(default=None, max_length=500)
    gas_plus1: str | None = Field(default=None, max_length=500)
    gas_plus2: str | None = Field(default=None, max_length=500)


class ReviewIn(Closed):
    """The review of one goal of the follow-up's stay."""

    goal_id: int = Field(ge=1, le=MAX_ID)
    level: int = Field(ge=0, le=4)
    gas_score: int | None = Field(default=None, ge=-2, le=2)
    citizen_rating: int | None = Field(default=None, ge=1, le=5)
    motivation: int | None = Field(default=None, ge=1, le=5)
    note: str = Field(default="", max_length=NOTE_MAX)


class AssessmentIn(Closed):
    """Answers to one questionnaire of the unit: item id -> the option's value."""

    questionnaire_id: str = Field(min_length=1, max_length=50)
    answers: dict[str, int | None] = Field(max_length=500)


class FollowUpIn(Closed):
    """A new follow-up, as the follow-up form takes it."""

    followup_date: date
    kind: FollowUpKind
    note: str = Field(default="", max_length=NOTE_MAX)
    reviews: list[ReviewIn] = Field(default_factory=list, max_length=200)
    assessments: list[AssessmentIn] = Field(default_factory=list, max_length=50)


# -- reports --------------------------------------------------------------------------------
class ReportKinds(BaseModel):
    """The report kinds the token's role may fetch, and the scopes it may choose."""

    kinds: list[str]
    scopes: list[str]
    council: bool


class ReportOut(BaseModel):
    """A built report as the pages have it (`del_tool.reports.codec`), or that it is being
    built: state "preparing" (ask again after Retry-After seconds)."""

    state: str
    built_at: str | None = None
    stale: bool = False
    report: dict[str, Any] | None = None
