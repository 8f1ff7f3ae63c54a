"""Everything an area page (/ and /area/<code>) shows, read once and named: one model per view (issue 32).

`area_page(code, view, viewer)` reads through a fixed handful of statements (most answers are kept per data stamp;
tests/test_area_model.py counts them) and returns a tree of frozen dataclasses: the area and its chain, the view
repaired (the year defaulted to the area's latest edition, a metric the map cannot draw replaced, the map's level),
the figures (the area's summary, its parent's, the edition before), the map's children rows with what the metric
needs beside them (the edition before, Logbook progress, register gaps), the map's geometry references, the change
section's series and flows, the pyramid, and what the viewer may do. The pages build components from it and read
nothing themselves (components/area_view.py). A new lens is a field here and a builder there.

The view is the page's own type (components.view.View), known here only by the fields it reads (`ViewState`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar, cast

from data_access import ages as ages_da
from data_access import areas as areas_da
from data_access import editions as editions_da
from data_access import figures as figures_da
from data_access import flows as flows_da
from data_access import logbook as logbook_da
from data_access import published as published_da
from data_access import registers as registers_da
from data_access.access import CurrentUser
from data_access.cache import cached
from data_access.db import get_engine
from data_access.errors import NotFoundError
from geo.shapes import url_for_children
from mpi.rules import dimensions_mask

LOCAL_LEVELS = ("tambon", "municipality")
LOGBOOK_METRICS = {"lb:visited": "households_visited", "lb:helped": "households_helped", "lb:open_needs": None}
# change since the edition before (each child carries that edition's figures as "_prev")
CHANGE_METRICS = ("change", "change_pct")
CHILD_DIGITS = {"country": 2, "province": 4, "amphoe": 6}
GAP = "gap:"  # gap:<register>: target-poor persons eligible for what the register records and not on it (issue 33)
NATIONAL_TAMBONS = "/shapes/tambons.json"

Row = dict[str, Any]  # a row as the pages read it (the figures and areas TypedDicts, copied)


class ViewState(Protocol):
    """What the model reads of the page's view (components.view.View)."""

    @property
    def year(self) -> int: ...
    @property
    def metric(self) -> str: ...
    @property
    def dims(self) -> tuple[str, ...]: ...
    @property
    def definition(self) -> str | None: ...
    @property
    def maplevel(self) -> str: ...
    @property
    def age(self) -> str | None: ...
    def at(self, area: str | None) -> Any: ...


V = TypeVar("V", bound=ViewState)


@dataclass(frozen=True)
class Figures:
    """The area's figures (None: none for this edition), its parent's, and its own in the edition before."""

    summary: Row | None  # with "before" (the edition before, with its year) where both count by one definition
    unsplit: bool  # a life stage asked of published figures, which cannot be split: said so, never all ages instead
    parent: Row | None
    before: Row | None
    before_year: int | None


@dataclass(frozen=True)
class MapModel:
    """The map of the area's children (a tambon's: its amphoe's), or of every tambon of the country."""

    parent: str  # whose children the map draws
    level: str  # the level of that parent
    national: bool  # the country's 7,425 tambons at once (summed in the database, no names written)
    shape_url: str | None
    codes_with_geometry: tuple[str, ...]
    frame: areas_da.MapFrame
    children: tuple[Row, ...]  # with "_prev", "logbook" or "gaps" as the metric needs
    previous: int | None  # the edition a change is measured from
    changing: bool  # the metric is a change and there is an edition before


@dataclass(frozen=True)
class Flows:
    before: int  # the edition before the one shown
    flows: Row | None  # None: no household data for both editions
    help_outcomes: Row | None
    by_stage: tuple[Row, ...] = ()  # all ages shown: the flows of each life stage (issue 34, 6)


@dataclass(frozen=True)
class Change:
    """The change section: the trend of the target poor (the parent's beside it) and the flows since the edition before."""

    trend: tuple[Row, ...]
    parent_trend: tuple[Row, ...] | None
    flows: Flows | None


@dataclass(frozen=True)
class Progress:
    progress: Row
    kinds: Mapping[str, tuple[str, str]]  # assistance kind code → (Thai, English) name


@dataclass(frozen=True)
class Households:
    """The way to the area's households: "none" (no microdata), "sign_in", "outside" (the viewer's area does not
    reach it) or "list"; `partial` names the viewer's areas when they cover part of it only."""

    state: str
    partial: tuple[Row, ...] | None = None


@dataclass(frozen=True)
class Details:
    """The sections under the map (a full render only)."""

    pyramid: tuple[Row, ...] | None
    villages: tuple[Row, ...] | None
    progress: Progress | None
    change: Change | None
    counted_under: Row | None  # a tambon counted under a municipal unit: that unit
    municipal_units: tuple[Row, ...]  # a tambon without figures: its amphoe's municipal units
    published_groups: Row | None = None  # no microdata: TPMAP's published counts of elderly, disabled, chronically ill


@dataclass(frozen=True)
class AreaPage(Generic[V]):
    code: str
    here: str
    view: V  # repaired: year defaulted, metric and map level what the map can draw
    chain: tuple[Row, ...]  # the country down to the area
    area: Row
    years: tuple[int, ...]  # every edition the database holds
    local: bool  # a tambon or a municipal unit: its map is its amphoe's
    microdata: bool
    map: MapModel
    households: Households
    gap_registers: tuple[tuple[str, str], ...]  # (register, as-of) of each gap the edition can show
    gap_as_of: str | None  # the date of the register the metric counts from, when it is a gap
    figures: Figures | None  # None on a metric or colour change (full=False)
    details: Details | None
    tour_next: Row | None  # on a tour, the next stop

    @property
    def f(self) -> Row | None:
        return self.figures.summary if self.figures else None

    @property
    def previous(self) -> int | None:
        return self.map.previous


def area_page(
    code: str, view: V, viewer: CurrentUser | None, *, full: bool = True, tour_next: str | None = None
) -> AreaPage[V] | None:
    """The model of one area's page, or None for a code the database does not know."""
    years = tuple(figures_da.known_years())
    view = cast(V, view.at(code))  # no year asked: this area's latest edition (a drill-down keeps none asked)
    chain = tuple(_row(a) for a in areas_da.ancestors(code))
    if not chain or chain[-1]["code"] != code:
        return None
    area = chain[-1]
    local = area["level"] in LOCAL_LEVELS
    map_model, view = _map(code, area, view, viewer, local)
    microdata = figures_da.has_survey(code, view.year)
    figures = _figures(code, area, view) if full else None
    gap = view.metric[len(GAP) :] if view.metric.startswith(GAP) else None
    return AreaPage(
        code=code,
        here="/" if code == "TH" else f"/area/{code}",
        view=view,
        chain=chain,
        area=area,
        years=years,
        local=local,
        microdata=microdata,
        map=map_model,
        households=_households(code, viewer, microdata),
        gap_registers=tuple(registers_da.gap_registers(view.year)),
        gap_as_of=registers_da.current_as_of(gap) if gap else None,
        figures=figures,
        details=_details(code, area, chain, view, viewer, figures, local, microdata) if figures else None,
        tour_next=_maybe(areas_da.get_area(tour_next)) if tour_next else None,
    )


def _row(r: Mapping[str, Any]) -> Row:
    return dict(r)


def _maybe(r: Mapping[str, Any] | None) -> Row | None:
    return None if r is None else dict(r)


def _repaired(view: V, **changes: Any) -> V:
    return cast(V, replace(cast(Any, view), **changes))


def _children(parent: str, view: ViewState, year: int, mask: int) -> list[dict[str, Any]]:
    rows = figures_da.children_summaries(
        parent, year, mask, include_counted_under=True, definition=view.definition, stage=view.age
    )
    # under a life stage, children with published figures only have none of that stage: drawn as "no data"
    return [dict(c) for c in rows if c.get("age_split", True)]


def _map(code: str, area: Row, view: V, viewer: CurrentUser | None, local: bool) -> tuple[MapModel, V]:
    map_level = "amphoe" if local else area["level"]
    map_parent = area["parent_code"] if local else code
    mask = dimensions_mask(view.dims)
    # the country's map of every tambon: summed in the database like a ranking (the stored sums count all ages)
    national = code == "TH" and view.maplevel == "tambon" and view.age is None
    if national and view.metric not in figures_da.MAP_LEVEL_METRICS:
        view = _repaired(view, metric="target_poor")
    if not national and view.maplevel != "province":
        view = _repaired(view, maplevel="province")
    # (level_summaries hands out its own copies, and nothing below changes a row in place: the national map's 7,656
    # rows are not copied again)
    children = (
        cast(list[dict[str, Any]], figures_da.level_summaries("TH", "tambon", view.year, mask, definition=view.definition))
        if national
        else _children(map_parent, view, view.year, mask)
    )
    # the edition a change is measured from: the map's own area's, so that both editions have it
    previous = max((y for y in figures_da.years_of(map_parent) if y < view.year), default=None)
    changing = view.metric in CHANGE_METRICS and previous is not None
    if view.metric in CHANGE_METRICS and previous is None:
        view = _repaired(view, metric="target_poor")  # nothing earlier to compare with: the count itself
    children = _beside(children, map_parent, map_level, view, viewer, previous if changing else None, mask)
    all_codes = areas_da.codes_with_geometry("tambon") if national else areas_da.children_with_geometry(map_parent)
    model = MapModel(
        parent=map_parent,
        level=map_level,
        national=national,
        shape_url=NATIONAL_TAMBONS if national else url_for_children(map_parent, map_level),
        codes_with_geometry=tuple(all_codes),
        frame=areas_da.map_frame(map_parent),
        children=tuple(children),
        previous=previous,
        changing=changing,
    )
    return model, view


def _beside(
    children: list[dict[str, Any]],
    parent: str,
    level: str,
    view: ViewState,
    viewer: CurrentUser | None,
    previous: int | None,
    mask: int,
) -> list[dict[str, Any]]:
    """Each child with what the metric needs beside its figures: the edition before, Logbook progress, gaps."""
    if previous is not None:
        before = {c["code"]: c for c in _children(parent, view, previous, mask)}
        return [c | {"_prev": before.get(c["code"])} for c in children]
    if view.metric in LOGBOOK_METRICS:
        progress = logbook_da.progress_children(parent, CHILD_DIGITS[level], view.year, viewer=viewer)
        return [c | {"logbook": progress.get(c["code"], {})} for c in children]
    if view.metric.startswith(GAP):
        found = registers_da.gaps_children(parent, CHILD_DIGITS[level], view.year, viewer=viewer)
        return [c | {"gaps": found.get(c["code"], {})} for c in children]
    return children


def _summary(code: str, year: int, view: ViewState, mask: int) -> Row | None:
    try:
        return _row(figures_da.area_summary(code, year, mask, definition=view.definition, stage=view.age))
    except (figures_da.NotFound, ages_da.CannotSplit):
        return None


def _figures(code: str, area: Row, view: ViewState) -> Figures:
    mask = dimensions_mask(view.dims)
    unsplit = False
    try:
        f: Row | None = _row(figures_da.area_summary(code, view.year, mask, definition=view.definition, stage=view.age))
    except figures_da.NotFound:
        f = None  # the map and table of the surroundings are still shown, and say so
    except ages_da.CannotSplit:
        f, unsplit = None, True
    if f is None:
        return Figures(None, unsplit, None, None, None)
    parent = _summary(area["parent_code"], view.year, view, mask) if area["parent_code"] else None
    earlier = [y for y in figures_da.years_of(code) if y < view.year]
    before = _summary(code, earlier[-1], view, mask) if earlier else None
    # the cards say the change since the edition before (the same figures the trend draws): only where both
    # editions count by the same definition
    if before is not None and before.get("definition") == f.get("definition"):
        f = {**f, "before": {**before, "year": earlier[-1]}}
    return Figures(f, False, parent, before, earlier[-1] if before is not None else None)


def _households(code: str, viewer: CurrentUser | None, microdata: bool) -> Households:
    if not microdata:
        return Households("none")
    if viewer is None:
        return Households("sign_in")
    if not viewer.overlaps(code):
        return Households("outside")
    if viewer.household_scope.contains(code):
        return Households("list")
    # a user whose area is only part of this one is told whose households the list holds
    return Households("list", tuple(_row(n) for n in areas_da.names(list(viewer.areas)).values()))


def _details(
    code: str,
    area: Row,
    chain: Sequence[Row],
    view: ViewState,
    viewer: CurrentUser | None,
    figures: Figures,
    local: bool,
    microdata: bool,
) -> Details:
    f = figures.summary
    mask = dimensions_mask(view.dims)
    survey = f is not None and f["source"] == "survey"
    return Details(
        pyramid=tuple(_row(i) for i in figures_da.pyramid_items(code, view.year, mask, definition=view.definition))
        if survey
        else None,
        # villages are rolled up for all ages only
        villages=tuple(_row(v) for v in figures_da.village_summaries(code, view.year, mask, definition=view.definition))
        if local and microdata and view.age is None
        else None,
        progress=_progress(code, view.year, viewer) if microdata else None,
        change=_change(code, chain[-2]["code"] if len(chain) > 1 else None, view, viewer),
        counted_under=_counted_under(area) if f is None else None,
        municipal_units=_units(area) if f is None and not area.get("counted_under") else (),
        published_groups=None if microdata else _published_groups(code, view.year),
    )


def _published_groups(code: str, year: int) -> Row | None:
    # public and fixed for an edition: kept per data stamp like the other aggregates a render reads
    return _maybe(cached(get_engine(), ("published_groups", code, year), lambda: published_da.published_groups(code, year)))


def _counted_under(area: Row) -> Row | None:
    if not area.get("counted_under"):
        return None
    return _maybe(areas_da.get_area(area["counted_under"])) or {"code": area["counted_under"]}


def _units(area: Row) -> tuple[Row, ...]:
    if area["level"] != "tambon" or not area["parent_code"]:
        return ()
    return tuple(_row(u) for u in areas_da.municipal_units_of(area["parent_code"]))


PROGRESS_COUNTS = ("households_visited", "households_helped", "persons_added", "households_flagged")


def _progress(code: str, year: int, viewer: CurrentUser | None) -> Progress | None:
    """Logbook progress of the area (None when nothing is recorded); agency names only for a viewer covering it."""
    p = logbook_da.progress(code, year, viewer=viewer)
    if all(p[k] == 0 for k in PROGRESS_COUNTS):  # type: ignore[literal-required]
        return None
    kinds = {} if p.get("baht_by_agency") else {k["code"]: (k["name_th"], k["name_en"]) for k in logbook_da.assistance_kinds()}
    return Progress(_row(p), kinds)


def _change(code: str, parent: str | None, view: ViewState, viewer: CurrentUser | None) -> Change | None:
    """The trend of the area (and its parent's), and the flows since the edition before where there is one."""
    mask = dimensions_mask(view.dims)
    try:
        items = tuple(_row(i) for i in editions_da.trend(code, mask, definition=view.definition))
    except NotFoundError:
        return None
    if len(items) < 2:
        return Change(items, None, None) if items else None
    parent_trend = (
        tuple(_row(i) for i in editions_da.trend(parent, mask, definition=view.definition)) if parent is not None else None
    )
    earlier = [i["year"] for i in items if i["year"] < view.year]
    flows = _flows(code, earlier[-1], view, viewer) if earlier else None
    if view.age is not None:  # a life stage: the trend counts its persons, in the editions that can be split
        items = _stage_trend(code, items, view, mask)
        parent_trend = _stage_trend(parent, parent_trend, view, mask) if parent is not None and parent_trend else None
    return Change(items, parent_trend, flows)


def _stage_trend(code: str, items: tuple[Row, ...], view: ViewState, mask: int) -> tuple[Row, ...]:
    """The trend's editions with survey microdata, each counting the life stage's target poor (from the stage
    rollup, as the cards do); published and headline editions carry no ages and are left out, never shown as all ages."""
    out: list[Row] = []
    for item in items:
        if item["source"] != "survey":
            continue
        try:
            f = figures_da.area_summary(code, item["year"], mask, definition=view.definition, stage=view.age)
        except (figures_da.NotFound, ages_da.CannotSplit):
            continue
        out.append(item | {"target_poor_persons": f["target_poor_persons"], "surveyed_persons": f["surveyed_persons"]})
    return tuple(out)


def _flows(code: str, before: int, view: ViewState, viewer: CurrentUser | None) -> Flows:
    try:
        fl = flows_da.flows(code, before, view.year, definition=view.definition, stage=view.age)
    except NotFoundError:
        return Flows(before, None, None)
    help_outcomes = _row(logbook_da.help_outcomes(code, before, view.year, viewer=viewer))
    return Flows(before, _row(fl), help_outcomes, () if view.age else _stage_flows(code, before, view))


def _stage_flows(code: str, before: int, view: ViewState) -> tuple[Row, ...]:
    """The flows of each life stage beside the all-ages ones (public aggregates, kept per data stamp)."""
    key = ("flows_by_stage", code, before, view.year, view.definition)
    found = cached(get_engine(), key, lambda: flows_da.flows_by_stage(code, before, view.year, definition=view.definition))
    return tuple(_row(f) for f in found)
