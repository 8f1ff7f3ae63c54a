"""/ranking: child areas ranked by the crisis group, under a chosen rule (the source deck's as defaults)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from components import fmt, ranking_table
from components.coverage import coverage_note, year_links
from components.i18n import area_name, said, t
from components.layout import not_found, topbar
from components.view import View, parse, request_lang
from components.widgets import data_table
from data_access import areas as areas_da
from data_access import change as change_da
from data_access import editions as editions_da
from data_access import figures as figures_da
from data_access import lenses, shortlists
from data_access import registers as registers_da
from data_access.figures import Coverage
from data_access.lenses import NotByStage
from data_access.logbook import MIN_CELL
from mpi import registers as register_kinds
from mpi.lifestages import STAGE_KEYS
from mpi.rules import DIMENSIONS, crisis_rule, dimensions_mask

dash.register_page(__name__, path="/ranking", title="TPMAP Open")
RULES = ("ge3", "basic_needs")
GAP = "gap:"  # by=gap:<register>: areas by eligible target-poor persons not on the register (issue 33)
ALL_AGES = "all"  # the life-stage choice "every age" (no `age=` in a link)


LEVEL_NAMES = {"province": "level.province", "amphoe": "level.amphoe", "tambon": "level.tambon"}
Linker = Callable[..., str]


def layout(area: str = "TH", by: str = "ge3", level: str = "", order: str = "improved", **query: Any) -> html.Div:
    view = parse(query)
    lang = view.lang
    chain = [dict(a) for a in areas_da.ancestors(area)]
    if not chain or chain[-1]["code"] != area:
        return not_found(t("notfound.area", lang, code=area), lang)
    level = level if level in figures_da.RANK_LEVELS else ""
    # a comparison uses the latest edition that covers every compared area, unless a year was asked for
    cover = figures_da.comparison(area, level or None, view.year if view.asked else None)
    view = replace(view, year=cover.year or view.year)
    gaps = dict(registers_da.gap_registers(view.year))
    by = by if by in (*RULES, "change") or (by.startswith(GAP) and by[len(GAP) :] in gaps) else "ge3"

    def link(**changes: Any) -> str:
        year = changes.pop("year", None)
        age = changes.pop("age", view.age)
        base = view.query(year=year, age=age) if year else view.query(age=age)
        return "/ranking" + base + "&" + urlencode({"area": area, "by": by, "level": level} | changes)

    head = [
        topbar(chain, view, "/ranking"),
        html.H2(_title(by, chain[-1], view, gaps), className="h4 my-2", id="ranking-title"),
        _stage_note(view),
    ]
    if by == "change":
        if view.age is not None:  # not rolled up per life stage: said, never all ages under the stage's name
            return html.Div(
                [*head, _choices(by, level, link, lang, gaps), _ages(view, link), _cannot(NotByStage("change"), lang)]
            )
        choice = order if order in change_da.ORDERS else "improved"
        return html.Div([*head, *_by_change(chain, view, level, choice, query.get("from"), link, cover, gaps)])
    if by.startswith(GAP):
        return html.Div([*head, *_by_gap(area, by[len(GAP) :], gaps, view, level, link, cover)])
    return html.Div([*head, *_by_crisis(area, by, view, level, link, cover, gaps)])


def _title(by: str, area: Mapping[str, Any], view: View, gaps: dict[str, str]) -> str:
    """The page's heading: what is ranked (a gap with its register's date), where, and the life stage counted."""
    lang, name = view.lang, area_name(dict(area), view.lang)
    if by.startswith(GAP):
        return t("rank.gap_title", lang, gap=gap_label(by[len(GAP) :], gaps.get(by[len(GAP) :]), lang), area=name)
    title = t("rank.change_title" if by == "change" else "rank.title", lang, area=name)
    return t("lens.stage_title", lang, title=title, stage=t(f"stage.{view.age}", lang)) if view.age else title


def gap_label(key: str, as_of: str | None, lang: str) -> str:
    """A gap's name with the date of the register it counts from (the map's words, metric.gap)."""
    kind = register_kinds.kinds().get(key)
    name = kind.name(lang) if kind else key
    return t("metric.gap", lang, name=name, date=fmt.be_date(as_of, lang) if as_of else t("gap.no_data", lang))


def _stage_note(view: View) -> html.P | None:
    if view.age is None:
        return None
    return html.P(
        t("stage.note", view.lang, stage=t(f"stage.{view.age}", view.lang)), className="tp-definition-note", id="stage-note"
    )


def _cannot(error: Exception, lang: str) -> html.P:
    return html.P(said(error, lang), className="tp-nodata", id="no-stage-split")


def _table(lang: str, data: list[dict], columns: list[ranking_table.Column], selectable: bool) -> Any:
    extra: dict[str, Any] = {"row_selectable": "multi", "selected_rows": []} if selectable else {}
    return data_table(
        lang,
        id="ranking-table",
        sort_action="native",
        markdown_options={"link_target": "_self"},
        data=data,
        columns=ranking_table.page_columns(columns),
        style_table={"overflowX": "auto"},
        style_cell={"padding": "4px 8px", "textAlign": "left", "whiteSpace": "normal", "height": "auto"},
        style_header={"fontWeight": "bold", "whiteSpace": "normal", "height": "auto"},
        **extra,
    )


def _by_crisis(area: str, by: str, view: View, level: str, link: Linker, cover: Coverage, gaps: dict[str, str]) -> list:
    """The crisis ranking, of every age or of one life stage's persons (data_access.lenses): areas with published
    figures only cannot be split, and are counted apart under a stage."""
    lang, mask = view.lang, dimensions_mask(view.dims)
    unsplit: list[str] = []
    if view.age is None:
        rows = figures_da.ranking(area, view.year, crisis_rule(by), mask, level=level or None, definition=view.definition)
    else:
        staged = lenses.stage_ranking(area, view.year, crisis_rule(by), mask, view.age, level or None, definition=view.definition)
        rows, unsplit = staged["items"], staged["unsplit"]
    columns = ranking_table.staged(ranking_table.crisis_columns(by, lang), view.age, lang)
    data = [r | {"name": f"[{r['name']}](/area/{r['code']}{view.query()})"} for r in ranking_table.crisis_rows(rows, lang)]
    files = {"code": area, "year": view.year, "by": by, "level": level, "lang": lang} | _dims_args(view)
    return [
        html.P(t("rank.explain", lang), className="tp-sub"),
        _choices(by, level, link, lang, gaps),
        _ages(view, link),
        year_links(cover, view.year, lambda y: link(year=y), lang),
        _files(files),
        _save_box(lang),
        _table(lang, data, columns, True) if rows or not unsplit else _cannot(lenses.NotSplit(area, view.year), lang),
        html.P(t("lens.unsplit", lang, n=len(unsplit)), className="tp-sub", id="rank-unsplit") if unsplit and rows else None,
        coverage_note(cover, view.year, lang),
        dcc.Store(id="ranking-state", data={"year": view.year, "by": by}),
    ]


def _by_gap(area: str, key: str, gaps: dict[str, str], view: View, level: str, link: Linker, cover: Coverage) -> list:
    """Areas by a coverage gap (issue 33), scoped as on the map: counts of 1 or 2 kept from a viewer outside them. The
    eligible are counted by the programme's own rule (its ages), so a life stage chosen does not split them: said."""
    from auth.context import current_user

    lang = view.lang
    ranked = lenses.gap_ranking(area, view.year, key, level or None, viewer=current_user())
    kind = register_kinds.kinds().get(key)
    columns = ranking_table.gap_columns(kind.name(lang) if kind else key, ranked["as_of"], lang)
    data = [
        r | {"name": f"[{r['name']}](/area/{r['code']}{view.query(metric=GAP + key)})"}
        for r in ranking_table.gap_rows(ranked["items"], lang)
    ]
    # the stage is kept (the view it came from), though a gap counts its own rule's persons
    files = {"code": area, "year": view.year, "by": GAP + key, "level": level, "lang": lang, "age": view.age}
    return [
        html.P(t("rank.gap_explain", lang), className="tp-sub"),
        _choices(GAP + key, level, link, lang, gaps),
        _ages(view, link),
        html.P(t("lens.gap_not_by_stage", lang), className="tp-definition-note", id="gap-not-by-stage") if view.age else None,
        year_links(cover, view.year, lambda y: link(year=y), lang),
        _files(files),
        _table(lang, data, columns, False) if data else html.P(t("rank.gap.none", lang), className="tp-nodata", id="rank-none"),
        html.P(t("lb.suppressed", lang, n=MIN_CELL), className="tp-sub small")
        if any(r["unserved_persons"] is None for r in ranked["items"])
        else None,
    ]


def _dims_args(view: View) -> dict[str, str]:
    out = {}
    if tuple(view.dims) != DIMENSIONS:
        out["dims"] = ",".join(view.dims)
    if view.definition:
        out["definition"] = view.definition
    if view.age:
        out["age"] = view.age
    return out


def _choices(by: str, level: str, link: Linker, lang: str, gaps: dict[str, str]) -> html.Div:
    """The rule ranked by (a crisis rule, the change, a coverage gap), and the level ranked (the children, or every
    amphoe or tambon inside)."""
    rules = [(r, t(f"rank.{r}", lang), f"rank-by-{r}") for r in (*RULES, "change")]
    rules += [(GAP + k, _gap_name(k, lang), f"rank-by-gap-{k}") for k in gaps]
    return html.Div(
        [
            dcc.Link(
                label,
                href=link(by=r),
                id=id_,
                className="btn tp-btn-big me-2 " + ("btn-dark" if r == by else "btn-outline-dark"),
            )
            for r, label, id_ in rules
        ]
        + [
            dcc.Link(
                t(LEVEL_NAMES[lv], lang),
                href=link(level=lv),
                id=f"rank-level-{lv}",
                className="btn tp-btn-big ms-2 " + ("btn-secondary" if lv == level else "btn-outline-secondary"),
            )
            for lv in figures_da.RANK_LEVELS
        ],
        className="my-2 d-flex flex-wrap gap-1",
    )


def _gap_name(key: str, lang: str) -> str:
    kind = register_kinds.kinds().get(key)
    return f"{t('rank.gap.unserved', lang)}: {kind.name(lang) if kind else key}"


def _ages(view: View, link: Linker) -> html.Div:
    """The life-stage choice (issue 34), kept in every link the page renders: every age, or one stage."""
    lang = view.lang
    choices = [(ALL_AGES, t("stage.all", lang), None)] + [(k, t(f"stage.{k}", lang), k) for k in STAGE_KEYS]
    return html.Div(
        [html.Span(t("stage.control", lang) + ":", className="me-1")]
        + [
            dcc.Link(
                label,
                href=link(age=age),
                id=f"rank-age-{key}",
                className="btn btn-sm me-1 " + ("btn-secondary" if age == view.age else "btn-outline-secondary"),
            )
            for key, label, age in choices
        ],
        className="my-2 d-flex flex-wrap gap-1 align-items-center tp-chrome",
        id="rank-ages",
    )


def _files(args: dict[str, Any]) -> html.Div:
    """One table, two formats: both files are the table above (components.ranking_table), as the page shows it."""
    q = urlencode({k: v for k, v in args.items() if v not in (None, "")})
    return html.Div(
        [
            html.A("CSV", href=f"/export/ranking.csv?{q}", id="ranking-csv", className="btn btn-outline-secondary tp-btn-big"),
            html.A(
                "XLSX", href=f"/export/ranking.xlsx?{q}", id="ranking-xlsx", className="btn btn-outline-secondary tp-btn-big ms-1"
            ),
        ],
        className="my-2",
    )


def _by_change(
    chain: list[dict],
    view: View,
    level: str,
    order: str,
    raw_from: str | None,
    link: Linker,
    cover: Coverage,
    gaps: dict[str, str],
) -> list:
    """Areas by the change in target poor between two editions: most improved or most worsened first. Only areas with
    figures in both editions are ranked; the others are counted and said."""
    lang, area = view.lang, chain[-1]["code"]
    held = sorted(set(cover.years) | {e["year"] for e in editions_da.editions() if e["figures"] != "none"})
    later = [y for y in held if any(x < y for x in held)]
    if not view.asked and later:  # the pair of editions that has the most areas in both, the latest among equals
        pairs = [(change_da.compared_count(area, b, a, level or None), b, a) for a, b in zip(held, held[1:], strict=False)]
        _, to, before = max(pairs)
        view = replace(view, year=to)
        raw_from = raw_from or str(before)
    earlier = [y for y in held if y < view.year]
    year_from = (
        int(raw_from) if raw_from and raw_from.isdigit() and int(raw_from) in earlier else (earlier[-1] if earlier else None)
    )
    buttons = html.Div([_choices("change", level, link, lang, gaps), _ages(view, link)])
    if year_from is None:
        return [buttons, html.P(t("trend.one", lang, year=view.year))]
    result = change_da.change_ranking(
        area, view.year, year_from, dimensions_mask(view.dims), level=level or None, order=order, definition=view.definition
    )
    controls = html.Div(
        [
            *[
                dcc.Link(
                    t(f"rank.order.{o}", lang),
                    href=link(order=o, **{"from": year_from}),
                    id=f"rank-order-{o}",
                    className="btn tp-btn-big me-2 " + ("btn-secondary" if o == order else "btn-outline-secondary"),
                )
                for o in change_da.ORDERS
            ],
            html.Span(t("rank.from", lang) + ":", className="ms-2 me-1"),
            *[
                dcc.Link(
                    str(y),
                    href=link(order=order, **{"from": y}),
                    id=f"rank-from-{y}",
                    className="btn me-1 " + ("btn-secondary" if y == year_from else "btn-outline-secondary"),
                )
                for y in earlier
            ],
            html.Span(t("rank.to", lang) + ":", className="ms-2 me-1"),
            *[
                dcc.Link(
                    str(y),
                    href=link(order=order, year=y),
                    id=f"rank-to-{y}",
                    className="btn me-1 " + ("btn-secondary" if y == view.year else "btn-outline-secondary"),
                )
                for y in later
            ],
        ],
        className="my-2 d-flex flex-wrap gap-1 align-items-center",
    )
    columns = ranking_table.change_columns(year_from, view.year, lang)
    rows = ranking_table.change_rows(result["items"], lang)
    table = data_table(
        lang,
        id="ranking-table",
        sort_action="native",
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        data=[r | {"name": f"[{r['name']}](/area/{r['code']}{view.query()})"} for r in rows],
        columns=ranking_table.page_columns(columns),
        style_cell={"padding": "4px 8px", "textAlign": "left", "whiteSpace": "normal", "height": "auto"},
        style_header={"fontWeight": "bold", "whiteSpace": "normal", "height": "auto"},
    )
    files = {"code": area, "year": view.year, "from": year_from, "by": "change", "order": order, "level": level, "lang": lang}
    return [
        html.P(t("rank.change_explain", lang, a=year_from, b=view.year), className="tp-sub"),
        buttons,
        controls,
        _files(files | _dims_args(view)),
        table if result["items"] else html.P(t("rank.none", lang), className="tp-nodata", id="rank-none"),
        html.P(
            t("rank.change_compared", lang, n=len(result["items"]), a=year_from, b=view.year)
            + (" " + t("rank.lacking", lang, n=result["lacking"]) if result["lacking"] else ""),
            className="tp-sub",
            id="rank-lacking",
        ),
    ]


def _save_box(lang: str) -> dbc.Row | None:
    from auth.context import current_user

    if current_user() is None:
        return None
    return dbc.Row(
        [
            dbc.Col(
                dcc.Input(id="shortlist-name", type="text", placeholder=t("short.name", lang), className="form-control"), md=5
            ),
            dbc.Col(dbc.Button(t("short.save", lang), id="shortlist-save", color="primary", className="w-100"), md=3),
            dbc.Col(html.Div(id="shortlist-result"), md=4),
        ],
        className="g-2 my-2",
    )


@callback(
    Output("shortlist-result", "children"),
    Input("shortlist-save", "n_clicks"),
    State("shortlist-name", "value"),
    State("ranking-table", "selected_rows"),
    State("ranking-table", "data"),
    State("ranking-state", "data"),
    prevent_initial_call=True,
)
def save(_n: int | None, name: str | None, selected: list[int] | None, data: list[dict], state: dict) -> Any:
    from auth.context import current_user

    refs = [data[i]["code"] for i in sorted(selected or [])]
    try:
        saved = shortlists.create(current_user(), name=name or "", kind="areas", year=state["year"], refs=refs, rule=state["by"])
    except shortlists.ShortlistError as e:
        return dbc.Alert(said(e, request_lang()), color="danger", className="mb-0")
    return dcc.Link(saved["url"], href=saved["url"], id="shortlist-link")
