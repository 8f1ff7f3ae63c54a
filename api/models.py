"""The API's shapes, once: every JSON body a route reads, every query it takes and what it answers, as pydantic
models. The routes validate their input with them (api.contract.body, api.contract.query) and the OpenAPI document
(/api/v1/openapi.json) is generated from them, so the two cannot drift apart.

Answers list their pinned fields (README, "API"; tests/test_pinned_interfaces.py) and allow more: a field added to
an answer is not a break, a pinned one missing is. Bodies refuse fields they do not name (400, "unknown field(s)")."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

from api import inputs
from data_access.households import MEMBER_FILTERS, SORTS
from mpi.lifestages import STAGE_KEYS
from mpi.rules import CRISIS_RULES, DIMENSIONS, TARGET_DEFINITIONS


class Kind:
    """How a body field's type is said in a refusal ("note must be text"): the wording of the checks pydantic
    replaced, which clients and tests read."""

    def __init__(self, said: str):
        self.said = said


def _text(v: str) -> str:
    if len(v) > inputs.MAX_TEXT:
        raise ValueError(f"is longer than {inputs.MAX_TEXT:,} characters")
    if "\x00" in v:
        raise ValueError("holds a NUL character")
    return v


def _in_range(v: Any) -> Any:
    """A whole number PostgreSQL's integer holds, a number that is finite (NaN baht is no amount)."""
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("must be a finite number")
    if isinstance(v, int) and abs(v) > inputs.INT32_MAX:
        raise ValueError("is out of range")
    return v


# The field types of the write API (what api/inputs.FIELD_TYPES said by hand): text up to MAX_TEXT characters
# without NUL, whole numbers a PostgreSQL integer holds, finite numbers; a refusal says "<field> <problem>".
Text = Annotated[StrictStr, AfterValidator(_text), Kind("text"), WithJsonSchema({"type": "string", "maxLength": inputs.MAX_TEXT})]
Whole = Annotated[
    StrictInt,
    AfterValidator(_in_range),
    Kind("a whole number"),
    WithJsonSchema({"type": "integer", "minimum": -inputs.INT32_MAX, "maximum": inputs.INT32_MAX}),
]
Number = Annotated[
    StrictInt | StrictFloat,
    AfterValidator(_in_range),
    Kind("a whole number or a number"),
    WithJsonSchema({"type": "number", "minimum": -inputs.INT32_MAX, "maximum": inputs.INT32_MAX}),
]
WholeOrText = Annotated[StrictInt | Text, Kind("a whole number or text")]
Flag = Annotated[StrictInt | StrictBool | Text, Kind("a whole number or 0 or 1 or text")]
# read by the routes themselves (common._version, common._year_or_latest), whose refusals say what is wrong
Version = Annotated[Any, WithJsonSchema({"type": ["integer", "string"], "description": "the Logbook version read"})]
BodyYear = Annotated[Any, WithJsonSchema({"type": ["integer", "string"], "description": "Buddhist-era year, e.g. 2561"})]


class Body(BaseModel):
    """A JSON object a route reads: the named fields only; `version` and `year` may come with any of them."""

    model_config = ConfigDict(extra="forbid", strict=True)
    version: Version = None
    year: BodyYear = None


class LoginBody(BaseModel):
    model_config = ConfigDict(strict=True)  # other fields are ignored, as they always were
    username: StrictStr
    password: StrictStr


class VisitBody(Body):
    visited_on: Text = Field(description="ISO date of the visit, e.g. 2021-05-01")
    outcome: Text
    note: Text | None = None
    visitor: Text | None = None
    latitude: Number | None = None
    longitude: Number | None = None


class NeedBody(Body):
    dimension: Text
    description: Text
    status: Text | None = None
    member: Whole | None = None


class NeedStatusBody(Body):
    status: Text


class AssistanceBody(Body):
    given_on: Text
    dimension: Text
    kind: Text
    agency: Text
    amount_baht: Number | None = None
    need_id: Whole | None = None
    visit_id: Whole | None = None
    note: Text | None = None


class StatusBody(Body):
    status: Text
    reason: Text


class MemberRequestBody(Body):
    house_id: Text | None = None
    tambon_code: Text | None = None
    village_no: WholeOrText | None = None
    citizen_id: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    sex: Text | None = None
    birth_date: Text | None = None
    welfare_card: Flag | None = None
    disabled: Flag | None = None


class DecisionBody(Body):
    reason: Text | None = None


class MentorTeamBody(Body):
    name: Text
    area_code: Text
    capacity: Whole | None = Field(None, description="households per mentor, 1-20")


class MentorBody(Body):
    name: Text
    kind: Text
    dimension: Text | None = None


class MentorHouseholdBody(Body):
    house_id: Text


class ShortlistBody(Body):
    name: Text
    kind: Text = Field(description="areas or households")
    refs: list[Annotated[StrictStr, Field(max_length=64)]] = Field(description="area codes or house ids")
    rule: Text | None = None


class CommitteeBody(Body):
    # not required by the model: data_access says which kinds the caller may create (403 before 400), as it did
    kind: Text = ""
    area_code: Text = ""
    name: Text | None = None


class CommitteeMemberBody(Body):
    name: Text | None = None
    position: Text | None = None
    agency: Text | None = None


class ReportBody(Body):
    progress: Text | None = None
    obstacles: Text | None = None
    suggestions: Text | None = None


class OrderForm(BaseModel):
    """multipart/form-data of a committee order."""

    file: bytes = Field(json_schema_extra={"format": "binary", "contentMediaType": "application/pdf"})
    order_no: str
    order_date: str = Field(description="2564-03-15, 15/03/2564, 15 มีนาคม 2564 or 2021-03-15")


# --- queries: each parameter's own check, the one the routes already made (same refusals) ----------------------


def _year(v: Any) -> Any:
    return None if v in (None, "") else inputs.year(v)


def _edition(v: Any) -> Any:
    return inputs.year(v)  # required: "give year, ..." when missing


def _page(v: Any) -> Any:
    return inputs.page(v)


def _definition(v: Any) -> Any:
    if v not in (None, "") and v not in TARGET_DEFINITIONS:
        raise inputs.BadInput(f"definition must be one of {', '.join(TARGET_DEFINITIONS)}, got {str(v)[:20]!r}")
    return v or None


YearQ = Annotated[
    int | None,
    BeforeValidator(_year),
    WithJsonSchema({"type": "integer", "minimum": inputs.YEAR_MIN, "maximum": inputs.YEAR_MAX, "examples": [2561]}),
]
EditionQ = Annotated[
    int, BeforeValidator(_edition), WithJsonSchema({"type": "integer", "minimum": inputs.YEAR_MIN, "maximum": inputs.YEAR_MAX})
]
PageQ = Annotated[
    int | None, BeforeValidator(_page), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": inputs.MAX_PAGE})
]
DefinitionQ = Annotated[
    str | None,
    BeforeValidator(_definition),
    WithJsonSchema({"type": "string", "enum": list(TARGET_DEFINITIONS), "description": "who counts as target poor"}),
]
DimensionsQ = Annotated[
    str | None,
    WithJsonSchema(
        {"type": "string", "description": f"comma-separated dimensions of {', '.join(DIMENSIONS)}", "examples": ["health,income"]}
    ),
]


def _one_of(values: tuple[str, ...] | list[str], description: str = "") -> Any:
    schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    if description:
        schema["description"] = description
    return Annotated[str | None, WithJsonSchema(schema)]


class Query(BaseModel):
    """A query string: the parameters a route reads; others are ignored (links carry the page's own)."""

    model_config = ConfigDict(extra="ignore")


class YearQuery(Query):
    year: YearQ = Field(None, description="Buddhist-era edition; the latest with figures for the area when left out")


class FiguresQuery(YearQuery):
    dimensions: DimensionsQ = None
    definition: DefinitionQ = None


class AreaQuery(FiguresQuery):
    age: _one_of(STAGE_KEYS, "a life stage: the figures of its persons only (issue 34)") = None  # type: ignore[valid-type]


class LinkReportQuery(YearQuery):
    area: Annotated[str | None, WithJsonSchema({"type": "string", "pattern": "^(TH|[0-9]{2}|[0-9]{4}|[0-9]{6})$"})] = None


class TrendQuery(Query):
    dimensions: DimensionsQ = None
    definition: DefinitionQ = None


class FlowsQuery(Query):
    from_: EditionQ = Field(alias="from")
    to: EditionQ
    definition: DefinitionQ = None
    dimension: _one_of(("all", *DIMENSIONS)) = None  # type: ignore[valid-type]
    age: _one_of(  # type: ignore[valid-type]
        STAGE_KEYS, "a life stage: its persons' flows only, the household flows null (issue 34)"
    ) = None


class HouseholdsQuery(YearQuery):
    page: PageQ = None
    dimension: _one_of(DIMENSIONS) = None  # type: ignore[valid-type]
    rule: _one_of(list(CRISIS_RULES)) = None  # type: ignore[valid-type]
    sort: _one_of(list(SORTS)) = None  # type: ignore[valid-type]
    crisis: _one_of(("0", "1"), "1: households in the crisis group only") = None  # type: ignore[valid-type]
    definition: DefinitionQ = None
    member: _one_of(MEMBER_FILTERS, "households with such a member (issue 34)") = None  # type: ignore[valid-type]


class RankingQuery(FiguresQuery):
    by: _one_of(("ge3", "basic_needs", "custom", "change")) = None  # type: ignore[valid-type]
    k: Annotated[str | None, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 5})] = None
    required: DimensionsQ = None
    level: _one_of(("province", "amphoe", "tambon")) = None  # type: ignore[valid-type]
    format: _one_of(("json", "csv")) = None  # type: ignore[valid-type]
    from_: YearQ = Field(None, alias="from")
    order: _one_of(("improved", "worsened")) = None  # type: ignore[valid-type]


class VulnerableQuery(YearQuery):
    dimensions: DimensionsQ = None
    selections: Annotated[str | None, WithJsonSchema({"type": "string"})] = None
    burdens: Annotated[str | None, WithJsonSchema({"type": "string"})] = None
    min_burdens: Annotated[str | None, WithJsonSchema({"type": "integer", "minimum": 1})] = None


class VulnerableHouseholdsQuery(VulnerableQuery):
    page: PageQ = None
    burden: Annotated[str | None, WithJsonSchema({"type": "string"})] = None


class CommitteesQuery(Query):
    level: _one_of(("province", "amphoe")) = None  # type: ignore[valid-type]
    parent: Annotated[str | None, WithJsonSchema({"type": "string", "examples": ["TH", "75"]})] = None


class StatusQuery(Query):
    status: _one_of(("pending", "approved", "rejected")) = None  # type: ignore[valid-type]


class EditionsQuery(Query):
    from_: EditionQ = Field(alias="from")
    to: EditionQ


class FieldPackageQuery(YearQuery):
    tambon: Annotated[str | None, WithJsonSchema({"type": "string", "description": "tambon codes, comma-separated"})] = None


class FormatQuery(Query):
    format: _one_of(("json", "csv")) = None  # type: ignore[valid-type]


# --- answers: the pinned fields, more allowed ------------------------------------------------------------------

Count = int | None
Figure = float | int | None


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(Answer):
    """Every refusal of the API (api/v1/common._error, auth.web._error, app's handlers): the English reason and the
    status; `said` the reason in the reader's language where the catalogue has it."""

    error: str
    status: int
    said: str | None = None


class AreaFigures(Answer):
    code: str
    level: str
    name_th: str | None
    name_en: str | None
    parent_code: str | None
    year: int | None
    surveyed_households: Count
    surveyed_persons: Count
    poor_persons: Count
    target_poor_persons: Count
    target_poor_households: Count
    crisis_persons: Count
    dimension_target_poor: dict[str, Any] | None
    indicator_target_poor: dict[str, Any] | None
    deprived_dimensions_target_poor: dict[str, Any] | list[Any] | None
    headcount_ratio: Figure
    intensity: Figure
    mpi: Figure
    source: str | None
    # TPMAP's published counts of the area's surveyed elderly, disabled and chronically ill persons in the same
    # edition (issue 34, 4: 2561's files), poor or not; null where none were published
    published_elderly_persons: Count = None
    published_disabled_persons: Count = None
    published_chronic_patients: Count = None


class ChildFigures(Answer):
    """A child area: the area's figures, or a municipal unit's (`point`), or a tambon counted under one."""

    code: str
    level: str
    name_th: str | None
    name_en: str | None


class Items(Answer):
    items: list[dict[str, Any]]


class Children(Answer):
    items: list[ChildFigures]


class AgeItem(Answer):
    stage: str
    sex: str
    surveyed_persons: Count
    target_poor_persons: Count
    crisis_persons: Count


class Ages(Answer):
    """Persons by life stage and sex (pinned, issue 34): one item per stage and sex."""

    items: list[AgeItem]


class RegisterItem(Answer):
    key: str
    name: str
    owner: str
    status: Literal["linked", "requested", "denied", "no_key"]
    as_of: str | None
    requested_on: str | None


class Registers(Answer):
    """The agencies' datasets and where each stands (pinned, issue 33)."""

    items: list[RegisterItem]


class LinkReport(Answer):
    """A register's rows in an area: counts only, never an ID (pinned, issue 33)."""

    rows: Count
    linked: Count
    not_in_survey: Count
    invalid: Count
    duplicates: Count


class GapItem(Answer):
    register_: str = Field(alias="register")  # (BaseModel has a `register` of its own)
    rule: str
    eligible_persons: Count
    served_persons: Count
    unserved_persons: Count
    as_of: str | None


class Gaps(Answer):
    """Eligible target-poor persons not on a register (pinned, issue 33); 1-2 hidden outside the viewer's area."""

    items: list[GapItem]


class Edition(Answer):
    year: int
    survey_year: int | None
    welfare_basis: str | None
    definition: str | None
    indicator_set: str | None
    figures: str | None
    source: str | None


class Editions(Answer):
    items: list[Edition]


class TrendPoint(Answer):
    year: int
    target_poor_persons: Count
    surveyed_persons: Count
    crisis_persons: Count
    source: Literal["published", "survey"]


class Trend(Answer):
    code: str
    items: list[TrendPoint]


class Flows(Answer):
    from_: int = Field(alias="from")
    to: int
    stayed_persons: Count
    exited_persons: Count
    entered_persons: Count
    left_survey_persons: Count
    stayed_households: Count
    exited_households: Count
    entered_households: Count
    left_survey_households: Count
    age: str | None = None  # the life stage asked for (issue 34, 6): its persons; the household flows are then null


class HouseholdRow(Answer):
    house_id: str
    village_no: int | str | None
    members: int
    target_poor_members: int
    deprived_dimensions: list[str] | int | None
    crisis: bool | int | None
    tambon_code: str


class HouseholdPage(Answer):
    items: list[HouseholdRow]
    total: int
    page: int
    page_size: int


class Household(Answer):
    house_id: str


class CitizenId(Answer):
    house_id: str
    member: int
    citizen_id: str


class Token(Answer):
    token: str
    expires_at: str
    username: str
    role: str
    areas: list[str]


class Revoked(Answer):
    revoked: Literal[True]


class Created(Answer):
    id: int


class Progress(Answer):
    code: str
    year: int
    households_visited: Count
    households_helped: Count
    by_status: dict[str, Any]
    open_needs: dict[str, Count] | Count = Field(description="open needs by dimension")


class Ranking(Answer):
    code: str
    year: int | None
    items: list[dict[str, Any]]


class Shortlist(Answer):
    token: str
    kind: str
    items: list[dict[str, Any]] | None = None


class Record(Answer):
    """An object whose fields the routes do not pin (a Logbook, a report, a committee's units)."""


class Removed(Answer):
    unit_id: int
    member_id: int
    removed: Literal[True]


class HandedBack(Answer):
    id: int
    handed_back: Literal[True]


class Assigned(Answer):
    team_id: int
    house_id: str


class Committees(Answer):
    level: str
    parent: str
    items: list[dict[str, Any]]


class Quarter(Answer):
    quarter: str
    items: list[dict[str, Any]]


class HelpOutcomes(Answer):
    code: str
    caveat: str
