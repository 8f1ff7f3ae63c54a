"""The facts an area's story is told from, each read through the same functions the API answers with."""

from __future__ import annotations

from typing import TypedDict

from data_access import areas, change, figures, flows, logbook
from data_access.access import CurrentUser
from data_access.errors import NotFoundError
from mpi import catalogue
from mpi.rules import ALL_DIMENSIONS_MASK


class Facts(TypedDict):
    """What an area's story is told from."""

    change: change.AreaChange | None
    flows: flows.Flows | None
    definition: str | None
    area: figures.AreaSummary
    parent: figures.AreaSummary | None
    parent_area: areas.AreaRow | None
    siblings: list[figures.ChildSummary]
    siblings_lacking: int
    children: list[figures.ChildSummary]
    villages: list[figures.VillageSummary]
    indicators: dict[str, catalogue.Indicator]
    progress: logbook.Progress
    year: int
    mask: int


def facts(
    code: str, year: int, viewer: CurrentUser | None = None, mask: int = ALL_DIMENSIONS_MASK, definition: str | None = None
) -> Facts:
    """The area, its parent and siblings (for standing), its children (for pockets), indicators, the change since
    the edition before (and who got out or came in, where both editions have household data), and Logbook progress.
    Raises figures.NotFound when the area has no figures that year."""
    d = definition
    area = figures.area_summary(code, year, mask, definition=d)
    chain = areas.ancestors(code)
    parent_code = chain[-2]["code"] if len(chain) > 1 else None
    parent = _summary_or_none(parent_code, year, mask, d)  # the country holds no area file of a partial edition
    siblings = figures.children_summaries(parent_code, year, mask, definition=d) if parent_code else []
    # peers told apart from peers without this edition yet (a year loaded for some provinces only)
    peers = figures.comparison(parent_code, asked=year) if parent_code else None
    children = figures.children_summaries(code, year, mask, definition=d) if area["level"] != "tambon" else []
    villages = figures.village_summaries(code, year, mask, definition=d) if area["level"] == "tambon" else []
    since = change.area_change(code, year, mask, definition=d)
    followed = None
    if since is not None and mask == ALL_DIMENSIONS_MASK:
        try:
            followed = flows.flows(code, since["year_from"], year, definition=d)
        except NotFoundError:
            followed = None  # not both editions with household data here: the change alone is told
    return Facts(
        change=since,
        flows=followed,
        definition=d,
        area=area,
        parent=parent,
        parent_area=chain[-2] if parent_code else None,
        siblings=siblings,
        siblings_lacking=len(peers.lacking) if peers else 0,
        children=children,
        villages=villages,
        indicators={i.code: i for i in catalogue.indicators_for_year(year)},
        progress=logbook.progress(code, year, viewer=viewer),
        year=year,
        mask=mask,
    )


def _summary_or_none(code: str | None, year: int, mask: int, definition: str | None) -> figures.AreaSummary | None:
    if code is None:
        return None
    try:
        return figures.area_summary(code, year, mask, definition=definition)
    except figures.NotFound:
        return None
