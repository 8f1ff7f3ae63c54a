"""The area view shared by / and /area/<code> (pages/home.py and pages/area.py, through pages/_area_shared.py),
built from one model (data_access.area_page.AreaPage, read once per render or update) by small functions, each
model → components: they read nothing themselves. A new lens is a field of the model and a builder here, not a
branch in one function. The callbacks live in pages/area.py (Dash runs each page file once per app)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from auth.context import current_user
from components import area_ids as ids
from components import fmt
from components.figures import choropleth, graph_config, map_layers, pyramid, star, trend_chart
from components.i18n import area_name, defined, t, who
from components.layout import card, dimension_shares, export_links, headline_cards, not_found, topbar, weakest_sentence
from components.published_groups import published_groups_block
from components.stage_flows import stage_flows_table
from components.view import View
from components.widgets import dropdown, plain_table
from data_access import logbook as logbook_da
from data_access import registers as registers_da
from data_access.area_page import (
    CHANGE_METRICS,
    GAP,
    LOCAL_LEVELS,
    LOGBOOK_METRICS,
    AreaPage,
    Flows,
    area_page,
)
from data_access.figures import MAP_LEVEL_METRICS
from mpi import catalogue
from mpi.editions import comparable_indicators, definition_for, edition
from mpi.lifestages import STAGE_KEYS
from mpi.rules import DIMENSIONS, REGISTERED, TARGET_DEFINITIONS

ALL_AGES = "all"  # the life-stage control's "every age" (no `age=` in the link)
# the controls whose choice the map's canvas draws before the page's update (pages/_map_preview.py), each with the
# query parameter it sets; the others (the dimensions, the definition, the map's level) wait for the update
PREVIEWED = {ids.METRIC: "metric", ids.COLOUR: "colour", ids.YEAR: "year", ids.AGE: "age"}
Row = dict[str, Any]
Page = AreaPage[View]


def gap_value(f: Row, metric: str, colour: str) -> float | None:
    """Eligible persons not on the register: a count, or a share of the eligible. A count kept from this viewer (1 or
    2, outside their area) or an area without eligible persons is no number."""
    g = (f.get("gaps") or {}).get(metric[len(GAP) :])
    if not g or g["unserved_persons"] is None:
        return None
    if colour == "share":
        return 100 * g["unserved_persons"] / g["eligible_persons"] if g["eligible_persons"] else None
    return g["unserved_persons"]


def metric_value(f: Row, metric: str, colour: str) -> float | None:
    """The number a map cell shows: a count, or a share of surveyed persons (MPI is always an index; Logbook
    progress is always a count of households or needs)."""
    if metric == "mpi":
        return f["mpi"]
    if metric in CHANGE_METRICS:
        prev = f.get("_prev")
        if not prev or prev.get("target_poor_persons") is None or f.get("target_poor_persons") is None:
            return None  # an area lacking either edition: drawn as "no data", never as "no change"
        now, before = f["target_poor_persons"], prev["target_poor_persons"]
        if metric == "change_pct":
            return 100 * (now - before) / before if before else None
        if colour == "share":
            if not f["surveyed_persons"] or not prev["surveyed_persons"]:
                return None
            return 100 * (now / f["surveyed_persons"] - before / prev["surveyed_persons"])
        return now - before
    if metric in LOGBOOK_METRICS:
        n = logbook_count(f, metric)
        return None if isinstance(n, logbook_da.Hidden) else n  # a hidden count is no number: hidden_count says it
    if metric.startswith(GAP):
        return gap_value(f, metric, colour)
    if metric == "crisis":
        n = f["crisis_persons"]
    elif metric.startswith("dim:"):
        n = f["dimension_target_poor"].get(metric[4:])
    elif metric.startswith("ind:"):
        n = f["indicator_target_poor"].get(metric[4:])
    else:
        n = f["target_poor_persons"]
    if n is None:
        return None
    if colour == "share":
        return 100 * n / f["surveyed_persons"] if f["surveyed_persons"] else None
    return n


def logbook_count(f: Row, metric: str) -> int | logbook_da.Hidden:
    """An area's Logbook progress for the map: an exact count, or one kept from this viewer (suppressed cells stay
    hidden through the sum of open needs). No progress row at all is nothing recorded: 0."""
    lb = f.get("logbook") or {}
    if not lb:
        return 0
    return logbook_da.total(lb["open_needs"].values() if metric == "lb:open_needs" else [lb[LOGBOOK_METRICS[metric]]])


def hidden_count(f: Row, metric: str) -> logbook_da.Hidden | None:
    n = logbook_count(f, metric) if metric in LOGBOOK_METRICS else None
    return n if isinstance(n, logbook_da.Hidden) else None


def _sent(v: float | None, metric: str) -> float | None:
    """A value as the map needs it: more digits than a colour or a hover shows are bytes on the wire (a national map
    has 7,425 of them)."""
    if v is None:
        return None
    return round(v, 5 if metric == "mpi" else 3)


def metric_label(metric: str, lang: str, definition: str | None = None, as_of: str | None = None) -> str:
    """The metric's name; a gap's with the date of its register (the model's `gap_as_of`, else read here)."""
    if metric in CHANGE_METRICS:
        return t(f"metric.{metric}", lang)
    if metric in LOGBOOK_METRICS:
        return t("metric." + metric.replace(":", "_"), lang)
    if metric.startswith(GAP):
        return gap_label(metric[len(GAP) :], lang, as_of)
    if metric.startswith("dim:"):
        return t("metric.dim", lang, name=t(f"dim.{metric[4:]}", lang))
    if metric.startswith("ind:"):
        return t("metric.ind", lang, code=metric[4:])
    return t({"crisis": "metric.crisis", "mpi": "metric.mpi"}.get(metric, defined("metric.target_poor", definition)), lang)


def gap_label(key: str, lang: str, as_of: str | None = None) -> str:
    """A gap's name with the date of the register it counts from: stated wherever the figure is shown."""
    from mpi import registers as register_kinds

    kind = register_kinds.kinds().get(key)
    if kind is None:
        return key
    when = as_of or registers_da.current_as_of(key)
    return t("metric.gap", lang, name=kind.name(lang), date=fmt.be_date(when, lang) if when else t("gap.no_data", lang))


def metric_options(
    year: int,
    lang: str,
    with_change: bool = False,
    definition: str | None = None,
    national: bool = False,
    gaps: Sequence[tuple[str, str]] | None = None,
) -> list[dict]:
    """The map's metrics; `gaps`: the edition's gap registers as the model read them (else read here)."""
    if national:  # the national tambon map: what the database sums for every tambon at once
        return [{"label": metric_label(m, lang, definition), "value": m} for m in MAP_LEVEL_METRICS]
    opts = [{"label": metric_label(m, lang, definition), "value": m} for m in ("target_poor", "crisis", "mpi")]
    if with_change:
        opts += [{"label": metric_label(m, lang), "value": m} for m in CHANGE_METRICS]
    opts += [{"label": metric_label(f"dim:{d}", lang), "value": f"dim:{d}"} for d in DIMENSIONS]
    opts += [{"label": metric_label(m, lang), "value": m} for m in LOGBOOK_METRICS]
    opts += [
        {"label": gap_label(k, lang, a), "value": GAP + k}
        for k, a in (registers_da.gap_registers(year) if gaps is None else gaps)
    ]
    for i in catalogue.indicators_for_year(year):
        opts.append({"label": f"{i.code} {i.name_th if lang == 'th' else i.name_en}", "value": f"ind:{i.code}"})
    return opts


def unit_of(metric: str, colour: str, lang: str) -> str:
    if metric == "change_pct":
        return t("unit.percent", lang)
    if metric == "change":
        return t("unit.points", lang) if colour == "share" else t("unit.persons", lang)
    if metric == "mpi":
        return t("unit.index", lang)
    if metric in LOGBOOK_METRICS:
        return t("unit.count", lang)
    if metric.startswith(GAP) and colour == "share":
        return t("unit.of_eligible", lang)
    return t("unit.percent", lang) if colour == "share" else t("unit.persons", lang)


def shown_value(f: Row, v: float | None, view: View) -> str:
    """An area's value in words: format_value's, or a hidden Logbook count's bounds."""
    h = hidden_count(f, view.metric)
    return fmt.count(h, view.lang) if h else format_value(v, view.metric, view.colour)


def format_value(v: float | None, metric: str, colour: str) -> str:
    if v is None:
        return "–"
    if metric == "mpi":
        return fmt.index(v)
    if metric in CHANGE_METRICS:
        sign = "+" if v > 0 else "−" if v < 0 else "±"
        return sign + (f"{abs(v):.2f}" if metric == "change_pct" or colour == "share" else fmt.number(abs(v)))
    if metric in LOGBOOK_METRICS:
        return fmt.number(v)
    return f"{v:.2f}%" if colour == "share" else fmt.number(v)


def _villages(m: Page) -> html.Div | None:
    """The villages of a tambon with survey microdata (all ages only)."""
    villages = m.details.villages if m.details else None
    if not villages:
        return None
    view, code = m.view, m.code
    lang = view.lang
    return html.Div(
        [
            html.H2(f"{t('hh.village', lang)} ({len(villages)})", className="h5 mt-3"),
            export_links(
                "villages",
                lang,
                code=code,
                year=view.year,
                dims=",".join(view.dims) if tuple(view.dims) != DIMENSIONS else None,
                definition=view.definition,
            ),
            plain_table(
                lang,
                id="village-table",
                rows=[
                    {
                        "village": v["village_no"],
                        "households": v["surveyed_households"],
                        "surveyed": v["surveyed_persons"],
                        "target_poor": v["target_poor_persons"],
                        "share": 100 * v["headcount_ratio"],
                        "crisis": v["crisis_persons"],
                        "mpi": v["mpi"],
                    }
                    for v in villages
                ],
                columns=[
                    {"name": t("hh.village", lang), "id": "village", "numeric": True},
                    {"name": t("card.surveyed_households", lang), "id": "households", "numeric": True, "format": fmt.number},
                    *_figure_columns(view),
                ],
            ),
        ]
    )


def _progress(m: Page) -> html.Div | None:
    """Logbook progress of the area: visits, help, status ladder, open needs, baht by agency."""
    read = m.details.progress if m.details else None
    if read is None:  # nothing recorded (or no microdata)
        return None
    p, lang = read.progress, m.view.lang
    # a suppressed count (None) is one or two, not nothing: it is written as such, never as 0 or "–"
    counts = [p[k] for k in ("households_visited", "households_helped", "persons_added", "households_flagged")]
    hidden = None in counts + [p["target_poor_in_flagged_households"], *p["by_status"].values(), *p["open_needs"].values()]

    def n(v: int | None) -> str:
        return fmt.count(v, lang)

    cards = [
        card(t("lb.visited", lang), n(p["households_visited"]), id_="lb-visited"),
        card(t("lb.helped", lang), n(p["households_helped"]), id_="lb-helped"),
        card(t("lb.flagged_count", lang, n=n(p["target_poor_in_flagged_households"])), n(p["households_flagged"])),
        card(t("lb.persons_added", lang), n(p["persons_added"]), id_="lb-added"),
    ]
    status = " · ".join(f"{t('lb.ladder.' + s, lang)} {n(v)}" for s, v in p["by_status"].items())
    needs = " · ".join(f"{t('dim.' + d, lang)} {n(v)}" for d, v in p["open_needs"].items() if v != 0) or "–"
    # agency names are free text: only a viewer whose area covers this one sees them (data_access decides)
    kinds = {k: names[1 if lang == "en" else 0] for k, names in read.kinds.items()}
    by = p.get("baht_by_agency") or {kinds.get(k, k): v for k, v in p["baht_by_kind"].items()}
    baht = " · ".join(f"{a} {v:,.0f}" for a, v in by.items()) or "–"
    return html.Div(
        [
            html.H2(t("lb.progress", lang), className="h5 mt-3"),
            html.Div([html.Div(c, className="col") for c in cards], className="row g-2 row-cols-2 row-cols-md-4"),
            html.P([html.B(t("lb.by_status", lang) + ": "), status], className="mt-2 mb-1"),
            html.P([html.B(t("lb.open_needs", lang) + ": "), needs], className="mb-1", id="lb-open-needs"),
            html.P([html.B(t("lb.baht", lang) + ": "), baht], className="mb-1"),
            html.P(t("lb.suppressed", lang, n=logbook_da.MIN_CELL), className="tp-sub small", id="lb-suppressed")
            if hidden
            else None,
            export_links("progress", lang, code=m.code, year=m.view.year),
        ],
        id="area-progress",
    )


def _change(m: Page) -> html.Div | None:
    """How the area's target poor changed across editions: the trend (with its parent's), and, where both
    editions have household data for the area, who stayed, got out, came in or left since the edition before."""
    change = m.details.change if m.details else None
    if change is None:
        return None
    view, lang, name = m.view, m.view.lang, area_name(m.area, m.view.lang)
    e = edition(view.year)
    definition = html.P(t(f"change.definition.{e.definition}", lang, year=view.year), className="tp-sub mb-1", id="definition")
    if len(change.trend) < 2:
        # under a life stage, only editions with microdata count: none, or one, says so (the flows need two)
        one = t("trend.one", lang, year=change.trend[0]["year"]) if change.trend else t("stage.no_split", lang, year=view.year)
        return html.Div(
            [html.H2(t("change.title", lang), className="h5 mt-3"), definition, html.P(one)],
            id="area-change",
        )
    series: list[tuple[str, list[dict]]] = [(name, [dict(i) for i in change.trend])]
    if change.parent_trend:
        parent = m.chain[-2]
        series.append((t("parent", lang, name=area_name(parent, lang)), [dict(i) for i in change.parent_trend]))
    title = t(defined("trend.title", view.definition), lang, area=name)
    if view.age:  # the stage's persons in the editions with microdata (data_access.area_page._stage_trend)
        title = t("lens.stage_title", lang, title=title, stage=t(f"stage.{view.age}", lang))
    chart = dcc.Graph(id="area-trend", figure=trend_chart(series, lang, title), config=_config(f"tpmap-{m.code}-trend", lang))
    return html.Div(
        [html.H2(t("change.title", lang), className="h5 mt-3"), definition, chart, _flows(m, change.flows)],
        id="area-change",
        className="tp-chrome",
    )


def _flows(m: Page, flows: Flows | None) -> html.Div | html.P | None:
    """Who stayed, got out, came in or left since the edition before, and what the help did beside it."""
    if flows is None:
        return None
    view, lang, before = m.view, m.view.lang, flows.before
    fl = flows.flows
    if fl is None:
        return html.P(t("flow.none", lang), className="tp-sub", id="flows-none")
    rows = [
        {
            "kind": t(defined(f"flow.{k}", view.definition), lang),
            "persons": fl[f"{col}_persons"],
            "households": fl.get(f"{col}_households"),
        }
        for k, col in (("stayed", "stayed"), ("exited", "exited"), ("entered", "entered"), ("left", "left_survey"))
    ]
    return html.Div(
        [
            html.H3(t(defined("flow.title", view.definition), lang, a=before, b=view.year), className="h6 mt-2"),
            plain_table(
                lang,
                id="flows-table",
                sortable=False,
                rows=rows,
                columns=[
                    {"name": t("flow.kind", lang), "id": "kind"},
                    {"name": t("flow.persons", lang), "id": "persons", "numeric": True, "format": fmt.number},
                    {"name": t("flow.households", lang), "id": "households", "numeric": True, "format": fmt.number},
                ],
            ),
            # persons and households are followed differently: say how, under the table
            html.P(t(defined("flow.units", fl["definition"]), lang), className="tp-sub small", id="flows-units"),
            html.P(t("change.not_comparable", lang, a=before, b=view.year), className="tp-sub small")
            if not comparable_indicators(before, view.year)
            else None,
            _help_outcomes(before, view, flows.help_outcomes) if flows.help_outcomes is not None else None,
            stage_flows_table(cast(Any, flows.by_stage), lang) if flows.by_stage else None,
        ],
        id="area-flows",
    )


def _help_outcomes(before: int, view: View, ho: Row) -> html.Div:
    """Did the help reach those who got out? Exits among the households the Logbook helped (by dimension of help)
    beside those it did not, with the caveat printed: a description, not a measure of what the help did."""
    lang = view.lang

    def pct(v: float | None) -> float | None:
        return None if v is None else round(100 * v, 1)

    small = t("help.small", lang, n=ho.get("suppressed_below", 3))  # a suppressed cell says so, never a blank
    rows = [
        {
            "help": t(f"help.row.{r['help']}", lang)
            if r["help"] in ("any", "none")
            else t("help.row.dim", lang, dim=t(f"dim.{r['help']}", lang)),
            "households": r["households"],
            "exited": r["exited"],
            "stayed": r["stayed"],
            "left": r["left_survey"],
            "share": pct(r["exit_share"]),
        }
        for r in ho["rows"]
        if r["help"] in ("any", "none") or r["households"] != 0
    ]
    count = {"numeric": True, "format": fmt.number, "missing": small}
    return html.Div(
        [
            html.H3(t("help.title", lang, a=before, b=view.year), className="h6 mt-3"),
            plain_table(
                lang,
                id="help-outcomes-table",
                sortable=False,
                rows=rows,
                # on a phone the table keeps what it is read for (households, got out, the share): the rest on wider screens
                columns=[
                    {"name": t("help.col.help", lang), "id": "help"},
                    {"name": t("help.col.households", lang, a=before), "id": "households", **count},
                    {"name": t("flow.exited", lang), "id": "exited", **count},
                    {"name": t("flow.stayed", lang), "id": "stayed", **count, "className": "tp-wide-only"},
                    {"name": t("help.col.left", lang), "id": "left", **count, "className": "tp-wide-only"},
                    {"name": t("help.col.share", lang), "id": "share", "numeric": True, "format": lambda v: f"{v:.1f}"},
                ],
            ),
            html.P(t("help.caveat", lang), className="tp-caveat", id="help-caveat"),
            html.P(t("help.suppressed", lang, n=ho["suppressed_below"]), className="tp-sub small") if not ho["exact"] else None,
        ],
        id="help-outcomes",
    )


def _controls(m: Page, country: bool = False) -> html.Div:
    """The view's controls (hidden on a projector, where the map's click callback still listens to them)."""
    view, previous = m.view, m.previous
    years = list(m.years) or [view.year]
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(t("year", view.lang), html_for=ids.YEAR),
                            dropdown(
                                view.lang,
                                id=ids.YEAR,
                                options=[{"label": str(y), "value": y} for y in years],
                                value=view.year,
                                clearable=False,
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("metric", view.lang), html_for=ids.METRIC),
                            dropdown(
                                view.lang,
                                id=ids.METRIC,
                                options=metric_options(
                                    view.year,
                                    view.lang,
                                    with_change=previous is not None,
                                    definition=view.definition,
                                    national=view.maplevel == "tambon",
                                    gaps=m.gap_registers,
                                ),
                                value=view.metric,
                                clearable=False,
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("colour", view.lang)),
                            dbc.RadioItems(
                                id=ids.COLOUR,
                                inline=True,
                                value=view.colour,
                                options=[
                                    {"label": t("colour.count", view.lang), "value": "count"},
                                    {"label": t("colour.share", view.lang), "value": "share"},
                                ],
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("definition", view.lang), html_for=ids.DEFINITION),
                            dropdown(
                                view.lang,
                                id=ids.DEFINITION,
                                options=[{"label": t(f"definition.{d}", view.lang), "value": d} for d in TARGET_DEFINITIONS],
                                value=definition_for(view.year, view.definition),
                                clearable=False,
                            ),
                        ],
                        md=12,
                        lg=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("stage.control", view.lang), html_for=ids.AGE),
                            dropdown(
                                view.lang,
                                id=ids.AGE,
                                options=[{"label": t("stage.all", view.lang), "value": ALL_AGES}]
                                + [{"label": t(f"stage.{k}", view.lang), "value": k} for k in STAGE_KEYS],
                                value=view.age or ALL_AGES,
                                clearable=False,
                            ),
                        ],
                        md=4,
                        lg=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("dims", view.lang)),
                            dbc.Checklist(
                                id=ids.DIMS,
                                inline=True,
                                value=list(view.dims),
                                options=[{"label": t(f"dim.{d}", view.lang), "value": d} for d in DIMENSIONS],
                            ),
                        ],
                        md=8,
                    ),
                    # the country's map by province or by every tambon (on other pages there, but hidden)
                    dbc.Col(
                        [
                            dbc.Label(t("maplevel", view.lang)),
                            dbc.RadioItems(
                                id=ids.LEVEL,
                                inline=True,
                                value=view.maplevel,
                                options=[{"label": t(f"maplevel.{lv}", view.lang), "value": lv} for lv in ("province", "tambon")],
                            ),
                        ],
                        md=4,
                        style=None if country else {"display": "none"},
                    ),
                ],
                className="g-2",
            ),
        ],
        className="tp-controls tp-chrome my-2",
        hidden=view.present,
    )


def _definition_note(f: Row | None, view: View) -> html.P | None:
    """Say so whenever the figures count anyone but the edition's own target poor."""
    who = (f or {}).get("definition") or definition_for(view.year, view.definition)
    if who == REGISTERED:
        return None
    return html.P(t(f"definition.note.{who}", view.lang), className="tp-definition-note", id="definition-note")


def _stage_note(view: View) -> html.P | None:
    """Say which life stage the figures count, whenever one is chosen."""
    if view.age is None:
        return None
    return html.P(
        t("stage.note", view.lang, stage=t(f"stage.{view.age}", view.lang)), className="tp-definition-note", id="stage-note"
    )


def _pyramid(m: Page) -> html.Div | None:
    """The population pyramid of an area with survey microdata (all its stages, whichever is chosen): read from
    the life-stage rollup once per import and kept, like every public figure."""
    f, items = m.f, m.details.pyramid if m.details else None
    if f is None or items is None:
        return None
    view = m.view
    title = t("pyramid.title", view.lang, area=area_name(m.area, view.lang), year=view.year, who=who(f["definition"], view.lang))
    figure = pyramid([dict(i) for i in items], view.lang, title, who=who(f["definition"], view.lang), present=view.present)
    return html.Div(
        dcc.Graph(id="area-pyramid", figure=figure, config=_config(f"tpmap-{m.code}-pyramid", view.lang, view.present)),
        className="tp-pyramid my-2",
    )


def _no_figures(m: Page, say_unsplit: bool = True) -> html.P:
    """A tambon whose people TPMAP counts under a municipal unit says so (never "no data"); a life stage asked of
    published figures says they cannot be split."""
    view, area = m.view, m.area
    if say_unsplit and m.figures is not None and m.figures.unsplit:
        return html.P(t("stage.no_split", view.lang, year=view.year), className="tp-nodata", id="no-stage-split")
    unit = m.details.counted_under if m.details else None
    if unit is not None:
        return html.P(
            [
                t("area.counted_under", view.lang, tambon=area_name(area, view.lang)),
                " ",
                dcc.Link(
                    area_name(unit, view.lang) if unit.get("name_th") else unit["code"],
                    href=f"/area/{unit['code']}{view.query()}",
                ),
            ],
            className="tp-nodata",
            id="counted-under",
        )
    units = m.details.municipal_units if m.details else ()
    if units:
        # no row of its own, but its amphoe has municipal units that TPMAP reports apart: say where to look
        links: list[Any] = []
        for i, u in enumerate(units):
            link = dcc.Link(area_name(u, view.lang), href=f"/area/{u['code']}{view.query()}")
            links += [", ", link] if i else [link]
        return html.P(
            [t("area.maybe_counted_under", view.lang, tambon=area_name(area, view.lang)), " ", *links],
            className="tp-nodata",
            id="counted-under",
        )
    return html.P(t("nodata.area", view.lang, year=view.year), className="tp-nodata", id="no-figures")


def _figure_columns(view: View) -> list[dict]:
    """The figures an area's and a village's table both show, in the same words and formats."""
    lang = view.lang
    return [
        {"name": t("table.surveyed", lang), "id": "surveyed", "numeric": True, "format": fmt.number},
        {
            "name": t(defined("table.target_poor", view.definition), lang),
            "id": "target_poor",
            "numeric": True,
            "format": fmt.number,
        },
        {"name": t("table.share", lang), "id": "share", "numeric": True, "format": lambda v: f"{v:.2f}"},
        {"name": t("table.crisis", lang), "id": "crisis", "numeric": True, "format": fmt.number},
        {"name": t("table.mpi", lang), "id": "mpi", "numeric": True, "format": lambda v: f"{v:.4f}"},
    ]


# the map's metric and colour whose value one of _figure_columns already shows: its column is not written twice
SHOWN_BY_FIGURE_COLUMNS = {
    ("target_poor", "count"),
    ("target_poor", "share"),
    ("crisis", "count"),
    ("mpi", "count"),
    ("mpi", "share"),
}


def metric_column(view: View, as_of: str | None = None) -> list[dict]:
    """The column of the map's metric, unless a figure column shows the same value (the share of target poor was
    shown twice, as "ร้อยละ" and "คนจนเป้าหมาย (ร้อยละ)")."""
    if (view.metric, view.colour) in SHOWN_BY_FIGURE_COLUMNS:
        return []
    return [
        {
            "name": f"{metric_label(view.metric, view.lang, view.definition, as_of)} ({unit_of(view.metric, view.colour, view.lang)})",
            "id": "value",
            "numeric": True,
            "format": lambda v: format_value(v, view.metric, view.colour),
        }
    ]


def _table(children: Sequence[Row], view: View, as_of: str | None = None) -> html.Div:
    lang = view.lang
    names = {c["code"]: area_name(c, lang) for c in children}

    def link(code: str) -> dcc.Link:
        return dcc.Link(names.get(code, code), href=f"/area/{code}{view.query()}")

    # a tambon whose people a municipal unit counts has no figures of its own: it is named in that unit's row, so
    # the unit is listed once (a row of its own pointing at the unit wrote the unit's name twice in the table)
    with_figures = {c["code"] for c in children if not c.get("counted_under")}
    held: dict[str, list[str]] = {}
    for c in children:
        if c.get("counted_under") in with_figures:
            held.setdefault(c["counted_under"], []).append(c["code"])
    rows = []
    for c in children:
        if c.get("counted_under") in with_figures:
            continue
        if c.get("counted_under"):  # its unit has no row here: say where its people are counted
            unit = c["counted_under"]
            rows.append(
                {
                    "name": html.Span([link(c["code"]), " · ", t("table.counted_under", lang, unit=""), link(unit)]),
                    "name:sort": names[c["code"]],
                    "code": c["code"],
                }
            )
            continue
        tambons = [part for code in held.get(c["code"], []) for part in (", ", link(code))][1:]
        rows.append(
            {
                "name": html.Span([link(c["code"]), " · ", t("table.includes", lang) + " ", *tambons])
                if tambons
                else link(c["code"]),
                "name:sort": names[c["code"]],
                "code": c["code"],
                "surveyed": c["surveyed_persons"],
                "target_poor": c["target_poor_persons"],
                "share": 100 * c["headcount_ratio"],
                "crisis": c["crisis_persons"],
                "mpi": c["mpi"],
                "value": metric_value(c, view.metric, view.colour),
            }
            # a hidden count says its bounds and sorts after every number, whichever way the column is sorted
            | ({"value": html.Span(fmt.count(h, lang)), "value:sort": None} if (h := hidden_count(c, view.metric)) else {})
        )
    return plain_table(
        lang,
        id="area-table",
        rows=rows,
        columns=[
            {"name": t("table.area", lang), "id": "name"},
            {"name": t("table.code", lang), "id": "code"},
            *_figure_columns(view),
            *metric_column(view, as_of),
        ],
    )


def _table_part(m: Page) -> list:
    """The table of the map's areas; of the 7,425 tambons of the national map, those with the most to show (the
    ranking page lists them all)."""
    view, code, children = m.view, m.code, list(m.map.children)
    if m.map.national:
        top = TOP_ROWS
        shown = sorted(
            (c for c in children if not c.get("counted_under") and metric_value(c, view.metric, view.colour) is not None),
            key=lambda c: -(metric_value(c, view.metric, view.colour) or 0),
        )[:top]
        return [
            html.P(
                [
                    t("table.top", view.lang, n=top, total=f"{len(children):,}"),
                    " ",
                    dcc.Link(t("nav.ranking", view.lang), href=f"/ranking{view.query()}&area=TH&level=tambon"),
                ],
                className="tp-sub",
                id="table-top",
            ),
            _table(shown, view, m.gap_as_of),
        ]
    return [
        export_links(
            "children",
            view.lang,
            code=code,
            year=view.year,
            dims=",".join(view.dims) if tuple(view.dims) != DIMENSIONS else None,
            definition=view.definition,
            age=view.age,  # the file of the table shown: that stage's figures (issue 34, 3)
        ),
        _table(children, view, m.gap_as_of),
        html.P(t("lb.suppressed", view.lang, n=logbook_da.MIN_CELL), className="tp-sub small", id="table-suppressed")
        if any(hidden_count(c, view.metric) for c in children)
        else None,
    ]


HOVER_FORMAT = {"mpi": ".4f", "share": ".2f", "count": ",.0f"}  # as format_value writes them
TOP_ROWS = 25


@dataclass(frozen=True)
class Drawn:
    """What the map draws of the model's children: coloured areas and their values, the areas whose Logbook count
    is kept from the viewer (drawn apart from the scale), the municipal units' symbols, and how many units the
    national map leaves to the amphoes' maps."""

    mapped: list[Row]
    values: list[float | None]
    hidden: list[tuple[Row, logbook_da.Hidden]]
    symbols: list[Row]
    units_left_out: int


def drawn(m: Page) -> Drawn:
    view, mm = m.view, m.map
    # (map_layers makes new rows of them: the model's own are left as they are, uncopied)
    mapped, symbols = map_layers(list(mm.children), set(mm.codes_with_geometry), view.lang)
    # at the country's scale hundreds of municipal units would be a rash of dots over the tambons: they are drawn on
    # each amphoe's map, and listed in the tables
    units_left_out = len(symbols) if mm.national else 0
    symbols = [] if mm.national else symbols
    values: list[float | None] = [_sent(metric_value(c, view.metric, view.colour), view.metric) for c in mapped]
    kept: list[tuple[Row, float | None]]
    if mm.changing:  # an area lacking either edition is drawn grey with the "no data" areas, never as "no change"
        kept = [(c, v) for c, v in zip(mapped, values, strict=True) if v is not None]
        mapped, values = [c for c, _ in kept], [v for _, v in kept]
    # Logbook counts kept from this viewer: drawn apart from the scale (neither 0 nor "no data"), their bounds in words
    hidden = [(c, h) for c in mapped if (h := hidden_count(c, view.metric))]
    if hidden:
        apart = {c["code"] for c, _ in hidden}
        kept = [(c, v) for c, v in zip(mapped, values, strict=True) if c["code"] not in apart]
        mapped, values = [c for c, _ in kept], [v for _, v in kept]
    return Drawn(mapped, values, hidden, symbols, units_left_out)


def _names_at(m: Page, d: Drawn) -> list[tuple]:
    """Names on the map, the areas with the most to show first (they keep their name where names would collide)."""
    frame = m.map.frame
    spots = {} if m.map.national else frame.names_at
    named = sorted(
        (
            c
            for c in [*zip(d.mapped, d.values, strict=True), *((c, None) for c, _ in d.hidden)]
            if c[0]["code"] in spots and not c[0].get("counted_under")
        ),
        key=lambda cv: -(cv[1] or 0),
    )
    return [(*spots[c["code"]], area_name(c, m.view.lang), v, frame.boxes.get(c["code"])) for c, v in named]


@dataclass(frozen=True)
class MapWords:
    label: str
    unit: str
    hover: tuple[str, str] | None  # the national map's one hover template: its words and number format
    missing_note: str | None


def map_words(m: Page) -> MapWords:
    view, mm = m.view, m.map
    label = metric_label(view.metric, view.lang, view.definition, m.gap_as_of)
    if mm.changing:
        label = t("metric.change_between", view.lang, metric=label, a=mm.previous, b=view.year)
    unit = unit_of(view.metric, view.colour, view.lang)
    hover = (f"{label} ({unit})", HOVER_FORMAT.get(view.metric if view.metric == "mpi" else view.colour, ",.0f"))
    # a tambon without figures beside municipal units: its people are counted in one of them
    missing_note = (
        t("map.no_change", view.lang, a=mm.previous, b=view.year)
        if mm.changing
        else t("map.in_municipal", view.lang)
        if any(c["level"] == "municipality" for c in mm.children)
        else None
    )
    return MapWords(label, unit, hover if mm.national else None, missing_note)


def _symbol(s: Row, view: View, words: MapWords) -> dict:
    v = metric_value(s, view.metric, view.colour)
    return {
        "code": s["code"],
        "lon": s["point"][0],
        "lat": s["point"][1],
        "name": s["_label"],
        "value": _sent(v, view.metric),
        "hover": f"{words.label}: {shown_value(s, v, view)} {words.unit}",
        "hidden": hidden_count(s, view.metric) is not None,
    }


def _canvas_meta(m: Page, words: MapWords) -> dict:
    """What the map's canvas writes besides the figure's traces (assets/canvas-map.js): the national map's one hover
    template, the language, the PNG's name and button, what it says when its shapes do not come."""
    view, national = m.view, m.map.national
    return {
        # the view drawn: a figure of the same view is the same map (the canvas does not draw it twice)
        "shown": m.code + view.query(),
        # where the canvas fetches the map a metric or a click asks for, before the page's update (not on a
        # projector: a click there opens the area's own page)
        "preview": None if view.present else {"url": ids.PREVIEW_PATH + m.code + view.query(), "controls": PREVIEWED},
        "hover": words.hover,
        "lang": view.lang,
        "missing_note": words.missing_note,
        "png": "tpmap-TH-tambons" if national else f"tpmap-{m.code}-map",
        "png_label": t("map.save_png", view.lang),
        "failed": t("map.load_failed", view.lang),
        "tall": national,  # the country's 7,425 tambons take the screen's height
    }


def map_figure(m: Page, d: Drawn) -> dict:
    """The choropleth of the model's map: its shapes (a static file), values, names, symbols and frame."""
    view, mm = m.view, m.map
    words = map_words(m)
    label, unit = words.label, words.unit
    return choropleth(
        cast(str, mm.shape_url),  # every level a map is drawn for has its shape file
        [c["code"] for c in d.mapped],
        d.values,
        [c["_label"] for c in d.mapped],
        # the national map writes its values through one hover template: no 7,425 sentences to build
        [] if mm.national else [f"{label}: {format_value(v, view.metric, view.colour)} {unit}" for v in d.values],
        list(mm.codes_with_geometry),
        unit,
        t("map.title", view.lang, metric=label, area=area_name(m.area, view.lang), year=view.year),
        highlight=m.code if m.area["level"] in LOCAL_LEVELS else None,
        hidden=[(c["code"], c["_label"], f"{label}: {fmt.count(h, view.lang)} {unit}") for c, h in d.hidden],
        symbols=[_symbol(s, view, words) for s in d.symbols],
        symbol_label=t("map.municipal_symbol", view.lang),
        missing_note=words.missing_note,
        diverging=mm.changing,
        present=view.present,
        names_at=_names_at(m, d),
        extent=mm.frame.extent,
        hover=words.hover,
        meta=_canvas_meta(m, words),
    )


def star_figure(m: Page) -> dict | None:
    """The star: the area's share of target poor deprived in each dimension, its parent's, its own the edition before."""
    f, figures, view = m.f, m.figures, m.view
    if f is None or figures is None:
        return None
    name = area_name(m.area, view.lang)
    series: list[tuple] = [(name, dimension_shares(dict(f)))]
    if figures.parent is not None:
        series.append((t("parent", view.lang, name=area_name(figures.parent, view.lang)), dimension_shares(dict(figures.parent))))
    if figures.before is not None:  # the star over time: the area itself in the edition before
        before = dimension_shares(dict(figures.before))
        series.append((t("star.edition", view.lang, area=name, year=figures.before_year), before, "before"))
    counted = who(f["definition"], view.lang)
    title = (
        t("star.title", view.lang, who=counted)
        if view.present
        else t("star.title_of", view.lang, area=name, year=view.year, who=counted)
    )
    return star(series, view.lang, title, present=view.present)


def source_line(m: Page) -> list:
    """Name the source only when there are figures to attribute (no "published figures of 2562" for a year TPMAP
    did not publish here)."""
    key = _source_key(m)
    return ([t(key, m.view.lang, year=m.view.year), " · "] if key else []) + [t("attribution", m.view.lang)]


def _source_key(m: Page) -> str | None:
    f = m.f
    return None if f is None else "source.survey" if f["source"] == "survey" else "source.published"


def _cards(m: Page) -> list:
    f, view = m.f, m.view
    return [
        headline_cards(dict(f), view.lang) if f else _no_figures(m),
        _definition_note(f, view),
        _stage_note(view) if f else None,
    ]


def _details(m: Page, d: Drawn) -> list:
    """The sections under the map, each its own builder (the model holds what each one shows)."""
    view = m.view
    return [
        _pyramid(m),
        _published_groups(m),
        _villages(m),
        _progress(m),
        _change(m),
        html.P(t("map.municipal_note", view.lang), className="tp-sub tp-chrome", id="municipal-note") if d.symbols else None,
        html.P(t("map.units_national", view.lang, n=d.units_left_out), className="tp-sub tp-chrome", id="municipal-note")
        if d.units_left_out
        else None,
    ]


def _published_groups(m: Page) -> html.Div | None:
    """An area with TPMAP's published figures only: its published counts of elderly, disabled and chronically ill
    persons, the one thing about ages those figures hold (issue 34, 4)."""
    groups = m.details.published_groups if m.details else None
    return published_groups_block(cast(Any, groups), m.view.lang) if groups else None


def parts(m: Page) -> dict:
    """Everything an area page shows, named: the first render assembles the parts into a page (area_view), and a
    control's change sends only the parts that changed (pages/area.py, in place). A model read without its figures
    (a metric or colour change) makes only the map, the table, the links and the state: the cards, the star and the
    sections below do not change with them."""
    view = m.view
    d = drawn(m)
    fig = signed_map(m, d)
    common = {
        "view": view,
        "model": m,
        "previous": m.previous,
        "figure": fig,
        "topbar": topbar([dict(a) for a in m.chain], view, m.here),
        "actions": _actions(m),
        "table": _table_part(m),
        "state": _state(m, fig),
    }
    if m.figures is None:
        return common | {"f": None}
    return common | {
        "f": m.f,
        "star": star_figure(m),
        "cards": _cards(m),
        "weakest": weakest_sentence(dict(m.f), area_name(m.area, view.lang), view.lang) if m.f else None,
        "details": _details(m, d),
        "source": source_line(m),
    }


def signed_map(m: Page, d: Drawn) -> dict:
    """The map's figure, its traces and areas named in its meta: a preview of another view of the same map then
    sends the values alone (pages/_map_preview.py)."""
    fig = map_figure(m, d)
    fig["layout"]["meta"]["map"] = ",".join(map_signature(fig))
    return fig


def area_map(code: str, view: View) -> dict | None:
    """The map of an area's page alone, as `parts` makes it (the preview's: no table, links nor cards); None for a
    code the database does not know."""
    m = area_page(code, view, current_user(), full=False)
    return None if m is None else signed_map(m, drawn(m))


def area_parts(code: str, view: View, *, full: bool = True) -> dict | html.Div:
    """The parts of an area's page (parts), read through its model; a page that cannot be drawn (an unknown code)
    comes back as that page instead."""
    m = area_page(code, view, current_user(), full=full)
    if m is None:
        return not_found(t("notfound.area", view.lang, code=code), view.lang)
    return parts(m)


def households_link(m: Page) -> Component:
    """The way to the area's households: signed in and covering it, the list; else why not, or how to sign in."""
    view, code, state = m.view, m.code, m.households.state
    list_href = f"/area/{code}/households{view.query()}"
    if state == "none":
        return html.Span(t("nodata.households", view.lang), className="tp-nodata", id="no-households")
    if state == "sign_in":
        return dcc.Link(
            t("auth.sign_in_for_households", view.lang),
            href="/login?next=" + list_href.replace("&", "%26"),
            refresh=True,
            className="btn btn-outline-primary tp-btn-big",
            id="households-sign-in",
        )
    if state == "outside":
        return html.Span(t("auth.outside_area", view.lang), className="tp-nodata", id="households-outside")
    # a user whose area is only part of this one is told whose households the list holds
    partial = m.households.partial
    label = (
        t("nav.households_in", view.lang, areas=", ".join(area_name(a, view.lang) for a in partial))
        if partial is not None
        else t("nav.households", view.lang)
    )
    return dcc.Link(label, href=list_href, className="btn btn-primary tp-btn-big", id="households-link")


def _state(m: Page, fig: dict | None = None) -> dict:
    area, view = m.area, m.view
    return {"code": m.code, "here": m.here, "level": area["level"], "query": view.query(), **view.as_dict()} | (
        {"map": fig["layout"]["meta"]["map"].split(",")} if fig is not None else {}  # (signed_map's signature)
    )


# what a re-coloured trace keeps: the areas it draws and where their shapes are (an update or a preview of the same
# map sends the other keys alone: pages/area.py, pages/_map_preview.py)
SHAPE_KEYS = frozenset({"type", "locations", "geojson", "featureidkey", "lon", "lat", "text", "name"})


def recoloured(trace: dict) -> dict:
    """What a recolour of the same map sends of a trace: its keys but SHAPE_KEYS; the grey "no data" areas are all
    drawn at zero, so their values come with their locations, not with a recolour."""
    grey = trace.get("name") == "no data"
    return {k: v for k, v in trace.items() if k not in SHAPE_KEYS and not (grey and k == "z")}


def map_signature(fig: dict) -> list[str]:
    """Which traces the map has and which areas each draws: an update whose map keeps them sends only the values."""
    import hashlib

    out = []
    for tr in fig["data"]:
        where = tuple(tr.get("locations") or ()) or tuple(tr.get("lon") or ())
        out.append(f"{tr['type']}:{tr.get('name')}:" + hashlib.sha1(repr(where).encode()).hexdigest()[:12])
    return out


def map_element(code: str, view: View, figure: dict) -> html.Div:
    """The area's map, drawn on a canvas by assets/canvas-map.js from the figure in its store (plotly.js is not
    needed for a map: its script stood before the first one). A click on the map is written into the #area-map
    store, the page's update callback's input for a drill-down."""
    return html.Div(
        [
            dcc.Store(id=ids.MAP),
            html.Div(
                html.Div(id=ids.CANVAS_HOST, className="tp-cmap"),
                id=ids.CANVAS_MAP,
                className="tp-map-graph" if view.present else None,
            ),
            dcc.Store(id=ids.CANVAS_FIGURE, data=figure),
        ],
        id=ids.MAP_BOX,
        className="tp-map-box",
    )


def _config(filename: str, lang: str, present: bool = False) -> Any:
    """A graph's config (components.figures.graph_config), as dcc.Graph takes it."""
    return graph_config(filename, lang, present)


def star_graph(m: Page, star: dict | None) -> dcc.Graph | None:
    view = m.view
    if star is None:
        return None
    return dcc.Graph(
        id=ids.STAR,
        figure=star,
        config=_config(f"tpmap-{m.code}-star", view.lang, view.present),
        className="tp-star-graph" if view.present else None,
    )


def area_view(code: str, view: View, tour: list[str] | None = None, every: int = 30) -> html.Div:
    """The page of an area (of the country at /): its model read once, then built."""
    nxt = _next_stop(tour, code) if tour and view.present else None
    m = area_page(code, view, current_user(), tour_next=nxt)
    if m is None:
        return not_found(t("notfound.area", view.lang, code=code), view.lang)
    p = parts(m)
    view = m.view
    map_graph = map_element(code, view, p["figure"])
    star = star_graph(m, p["star"])
    if view.present:
        return _presentation(m, map_graph, star, tour, every)
    return html.Div(
        [
            html.Div(p["topbar"], id=ids.TOPBAR),
            _controls(m, country=code == "TH"),
            html.Div(p["cards"], id=ids.CARDS),
            html.P(p["weakest"], className="tp-weakest", id=ids.WEAKEST),
            dbc.Row(
                [
                    dbc.Col(map_graph, lg=7),
                    dbc.Col([html.Div(star, id=ids.STAR_BOX), html.Div(p["actions"], id=ids.ACTIONS)], lg=5),
                ]
            ),
            html.Div(p["details"], id=ids.DETAILS),
            html.Div(p["table"], className="my-2", id=ids.TABLE_BOX),
            html.P(p["source"], className="tp-sub small my-3", id=ids.SOURCE),
            dcc.Store(id=ids.STATE, data=p["state"]),
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
        ],
        id=ids.PAGE,
    )


def _actions(m: Page) -> html.Div:
    """The way on from an area: its households, its ranking, story, vulnerable households, pivot, committee and
    reports, each a link that keeps the view."""
    code, view = m.code, m.view
    return html.Div(
        [
            households_link(m),
            dcc.Link(
                t("nav.ranking", view.lang),
                href=f"/ranking{view.query()}&area={code}",
                className="btn btn-outline-dark tp-btn-big ms-2",
                id="ranking-link",
            )
            if not m.local
            else None,
            dcc.Link(
                t("nav.story", view.lang),
                href=f"/area/{code}/story{view.query()}",
                className="btn btn-outline-dark tp-btn-big ms-2",
                id="story-link",
            ),
            dcc.Link(
                t("nav.vulnerable", view.lang),
                href=f"/area/{code}/vulnerable{view.query()}",
                className="btn btn-outline-dark tp-btn-big ms-2",
                id="vulnerable-link",
            ),
            dcc.Link(
                t("nav.pivot", view.lang),
                href=f"/pivot{view.query()}&area={code}",
                className="btn btn-outline-dark tp-btn-big ms-2",
                id="pivot-link",
            ),
            dcc.Link(
                t("nav.committees", view.lang),
                href=f"/committees/{code}{view.query()}" if len(code) <= 4 else "/committees",
                className="btn btn-outline-secondary tp-btn-big ms-2",
                id="committees-link",
            ),
            dcc.Link(
                t("nav.reports", view.lang),
                href="/reports" + view.query(),
                className="btn btn-outline-secondary tp-btn-big ms-2",
                id="reports-link",
            ),
        ],
        className="my-2 tp-chrome d-flex flex-wrap gap-1",
    )


def _presentation(m: Page, map_graph: html.Div, star_graph: dcc.Graph | None, tour: list[str] | None, every: int) -> html.Div:
    """One 1920×1080 screen read from the back of a room: the map on two thirds of it (names written on it),
    beside it the sentence, the cards and the star; a tour says what comes next and pauses on the space bar."""
    view, f, area = m.view, m.f, m.area
    side = [
        html.P(weakest_sentence(dict(f), area_name(area, view.lang), view.lang), className="tp-weakest", id=ids.WEAKEST)
        if f
        else None,
        headline_cards(dict(f), view.lang, columns=2) if f else _no_figures(m, say_unsplit=False),
        star_graph,
    ]
    return html.Div(
        [
            topbar([dict(a) for a in m.chain], view, m.here),
            # hidden, but there: the map's click callback listens to them
            _controls(m),
            html.Div(
                [html.Div(map_graph, className="tp-present-map"), html.Div(side, className="tp-present-side")],
                className="tp-present-body",
            ),
            _tour(m, tour, every) if tour else None,
            html.P(source_line(m), className="tp-attribution", id=ids.SOURCE),
            dcc.Store(id=ids.STATE, data=_state(m)),
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
        ],
        className="tp-present",
        id=ids.PAGE,
    )


def _next_stop(tour: list[str], code: str) -> str:
    return tour[(tour.index(code) + 1) % len(tour)] if code in tour else tour[0]


def _tour(m: Page, tour: list[str], every: int) -> html.Div:
    """The next stop and a countdown (assets/tour.js counts, pauses on Space or P, skips on →); the link
    it follows is an ordinary one, so a tour is just a sequence of addresses."""
    view = m.view
    nxt = _next_stop(tour, m.code)
    href = (f"/area/{nxt}" if nxt != "TH" else "/") + view.query() + f"&tour={','.join(tour)}&every={every}"
    nxt_name = area_name(m.tour_next, view.lang) if m.tour_next else nxt
    return html.Div(
        [
            html.Span(t("tour.next", view.lang, name=nxt_name, seconds=every), id="tour-text"),
            html.Button(t("tour.pause", view.lang), id="tour-pause", className="btn btn-outline-dark ms-3", type="button"),
            dcc.Link(t("tour.go", view.lang), href=href, id="tour-next-link", className="btn btn-outline-dark ms-2"),
        ],
        id="tour-status",
        className="tp-tour",
        **cast(
            Any,
            {
                "data-every": str(max(5, every)),
                "data-name": nxt_name,
                "data-next": t("tour.next", view.lang, name="{name}", seconds="{seconds}"),
                "data-paused": t("tour.paused", view.lang, name="{name}"),
                "data-pause": t("tour.pause", view.lang),
                "data-resume": t("tour.resume", view.lang),
            },
        ),
    )


def tour_args(tour: str, every: str) -> tuple[list[str] | None, int]:
    """tour=58,75,50&every=30 (with present=1): the stops, and the seconds at each."""
    stops = [c for c in tour.split(",") if c.strip()] if tour else None
    try:
        seconds = int(every)
    except ValueError:
        seconds = 30
    return stops, seconds
