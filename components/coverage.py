"""How a comparison of several areas says which edition it uses and whom it leaves out (the ranking, the pivot):
a year control over every edition with figures for any compared area, and a line naming what is left out and why.
The rule itself is data_access.figures.comparison."""

from __future__ import annotations

from collections.abc import Callable

from dash import dcc, html

from components.i18n import t
from data_access.figures import Coverage


def year_links(
    cover: Coverage, year: int, href: Callable[[int], str], lang: str, id_prefix: str = "rank-year"
) -> html.Div | None:
    """Every edition with figures for any compared area, as links; one that covers only some is marked so."""
    if not cover.years:
        return None
    return html.Div(
        [html.Span(t("year", lang) + ":", className="me-1")]
        + [
            dcc.Link(
                str(y) if y in cover.complete else t("rank.year_partial", lang, year=y),
                href=href(y),
                id=f"{id_prefix}-{y}",
                className="btn me-1 " + ("btn-secondary" if y == year else "btn-outline-secondary"),
            )
            for y in cover.years
        ],
        className="my-2 d-flex flex-wrap gap-1 align-items-center",
        id=id_prefix,
    )


def coverage_note(cover: Coverage, year: int, lang: str, id_: str = "rank-coverage") -> html.P:
    """How many areas are compared, and which are left out and why: no figures of this edition yet, or of none."""
    said = [t("rank.compared", lang, n=cover.compared, year=year)]
    if cover.lacking:
        said.append(t("rank.lacking_year", lang, n=len(cover.lacking), year=year))
    if cover.never:
        said.append(t("rank.never", lang, n=len(cover.never)))
    return html.P(" ".join(said), className="tp-sub", id=id_)
