"""The area view shared by / and /area/<code> (and read by no callback of its own: Dash runs each page file
once per app, so callbacks live only in page files and no page file imports another)."""

from __future__ import annotations

from dataclasses import replace

import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.context import current_user
from components import fmt
from components.figures import choropleth, graph_config, map_layers, pyramid, star, trend_chart
from components.i18n import area_name, defined, t, who
from components.layout import card, dimension_shares, export_links, headline_cards, not_found, topbar, weakest_sentence
from components.view import View
from components.widgets import dropdown, plain_table
from data_access import ages as ages_da
from data_access import areas as areas_da
from data_access import editions as editions_da
from data_access import figures as figures_da
from data_access import flows as flows_da
from data_access import logbook as logbook_da
from data_access import registers as registers_da
from data_access.errors import NotFoundError
from geo.shapes import url_for_children
from mpi import catalogue
from mpi.editions import comparable_indicators, definition_for, edition
from mpi.lifestages import STAGE_KEYS
from mpi.rules import DIMENSIONS, REGISTERED, TARGET_DEFINITIONS, dimensions_mask

ALL_AGES = "all"  # the life-stage control's "every age" (no `age=` in the link)

LOCAL_LEVELS = ("tambon", "municipality")
LOGBOOK_METRICS = {"lb:visited": "households_visited", "lb:helped": "households_helped", "lb:open_needs": None}
# change since the edition before (each child carries that edition's figures as "_prev"): a count or share-point
# difference ("change", by the colour switch) or a per-cent change ("change_pct"), on a diverging scale
CHANGE_METRICS = ("change", "change_pct")
CHILD_DIGITS = {"country": 2, "province": 4, "amphoe": 6}
GAP = "gap:"  # gap:<register>: target-poor persons eligible for what the register records and not on it (issue 33)


def gap_value(f: dict, metric: str, colour: str) -> float | None:
    """Eligible persons not on the register: a count, or a share of the eligible. A count kept from this viewer (1 or
    2, outside their area) or an area without eligible persons is no number."""
    g = (f.get("gaps") or {}).get(metric[len(GAP) :])
    if not g or g["unserved_persons"] is None:
        return None
    if colour == "share":
        return 100 * g["unserved_persons"] / g["eligible_persons"] if g["eligible_persons"] else None
    return g["unserved_persons"]


def metric_value(f: dict, metric: str, colour: str) -> float | None:
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


def logbook_count(f: dict, metric: str) -> int | logbook_da.Hidden:
    """An area's Logbook progress for the map: an exact count, or one kept from this viewer (suppressed cells stay
    hidden through the sum of open needs). No progress row at all is nothing recorded: 0."""
    lb = f.get("logbook") or {}
    if not lb:
        return 0
    return logbook_da.total(lb["open_needs"].values() if metric == "lb:open_needs" else [lb[LOGBOOK_METRICS[metric]]])


def hidden_count(f: dict, metric: str) -> logbook_da.Hidden | None:
    n = logbook_count(f, metric) if metric in LOGBOOK_METRICS else None
    return n if isinstance(n, logbook_da.Hidden) else None


def _sent(v: float | None, metric: str) -> float | None:
    """A value as the map needs it: more digits than a colour or a hover shows are bytes on the wire (a national map
    has 7,425 of them)."""
    if v is None:
        return None
    return round(v, 5 if metric == "mpi" else 3)


def metric_label(metric: str, lang: str, definition: str | None = None) -> str:
    if metric in CHANGE_METRICS:
        return t(f"metric.{metric}", lang)
    if metric in LOGBOOK_METRICS:
        return t("metric." + metric.replace(":", "_"), lang)
    if metric.startswith(GAP):
        return gap_label(metric[len(GAP) :], lang)
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
    year: int, lang: str, with_change: bool = False, definition: str | None = None, national: bool = False
) -> list[dict]:
    if national:  # the national tambon map: what the database sums for every tambon at once
        return [{"label": metric_label(m, lang, definition), "value": m} for m in figures_da.MAP_LEVEL_METRICS]
    opts = [{"label": metric_label(m, lang, definition), "value": m} for m in ("target_poor", "crisis", "mpi")]
    if with_change:
        opts += [{"label": metric_label(m, lang), "value": m} for m in CHANGE_METRICS]
    opts += [{"label": metric_label(f"dim:{d}", lang), "value": f"dim:{d}"} for d in DIMENSIONS]
    opts += [{"label": metric_label(m, lang), "value": m} for m in LOGBOOK_METRICS]
    opts += [{"label": gap_label(k, lang, a), "value": GAP + k} for k, a in registers_da.gap_registers(year)]
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


def shown_value(f: dict, v: float | None, view: View) -> str:
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


def _villages(code: str, view: View, mask: int):
    villages = figures_da.village_summaries(code, view.year, mask, definition=view.definition)
    if not villages:
        return None
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


def _progress(code: str, view: View):
    """Logbook progress of the area: visits, help, status ladder, open needs, baht by agency."""
    p = logbook_da.progress(code, view.year, viewer=current_user())
    lang = view.lang
    # a suppressed count (None) is one or two, not nothing: it is written as such, never as 0 or "–"
    counts = [p[k] for k in ("households_visited", "households_helped", "persons_added", "households_flagged")]
    if all(v == 0 for v in counts):
        return None
    hidden = None in counts + [p["target_poor_in_flagged_households"], *p["by_status"].values(), *p["open_needs"].values()]

    def n(v) -> str:
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
    kinds = {k["code"]: k["name_en" if lang == "en" else "name_th"] for k in logbook_da.assistance_kinds()}
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
            export_links("progress", lang, code=code, year=view.year),
        ],
        id="area-progress",
    )


def _change(code: str, name: str, parent: dict | None, view: View):
    """How the area's target poor changed across editions: the trend (with its parent's), and, where both
    editions have household data for the area, who stayed, got out, came in or left since the edition before."""
    lang = view.lang
    try:
        items = editions_da.trend(code, dimensions_mask(view.dims), definition=view.definition)
    except NotFoundError:
        return None
    if not items:
        return None
    e = edition(view.year)
    definition = html.P(t(f"change.definition.{e.definition}", lang, year=view.year), className="tp-sub mb-1", id="definition")
    if len(items) < 2:
        return html.Div(
            [
                html.H2(t("change.title", lang), className="h5 mt-3"),
                definition,
                html.P(t("trend.one", lang, year=items[0]["year"])),
            ],
            id="area-change",
        )
    series = [(name, items)]
    if parent is not None:
        series.append(
            (
                t("parent", lang, name=area_name(parent, lang)),
                editions_da.trend(parent["code"], dimensions_mask(view.dims), definition=view.definition),
            )
        )
    chart = dcc.Graph(
        id="area-trend",
        figure=trend_chart(series, lang, t(defined("trend.title", view.definition), lang, area=name)),
        config=graph_config(f"tpmap-{code}-trend", lang),
    )
    earlier = [i["year"] for i in items if i["year"] < view.year]
    flows_part = None
    if earlier:
        before = earlier[-1]
        try:
            fl = flows_da.flows(code, before, view.year, definition=view.definition)
        except NotFoundError:
            flows_part = html.P(t("flow.none", lang), className="tp-sub", id="flows-none")
        else:
            rows = [
                {
                    "kind": t(defined(f"flow.{k}", view.definition), lang),
                    "persons": fl[f"{col}_persons"],
                    "households": fl.get(f"{col}_households"),
                }
                for k, col in (("stayed", "stayed"), ("exited", "exited"), ("entered", "entered"), ("left", "left_survey"))
            ]
            flows_part = html.Div(
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
                    _help_outcomes(code, before, view),
                ],
                id="area-flows",
            )
    return html.Div(
        [html.H2(t("change.title", lang), className="h5 mt-3"), definition, chart, flows_part],
        id="area-change",
        className="tp-chrome",
    )


def _help_outcomes(code: str, before: int, view: View) -> html.Div:
    """Did the help reach those who got out? Exits among the households the Logbook helped (by dimension of help)
    beside those it did not, with the caveat printed: a description, not a measure of what the help did."""
    lang = view.lang
    ho = logbook_da.help_outcomes(code, before, view.year, viewer=current_user())

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


def _controls(view: View, known: list[int], previous: int | None = None, country: bool = False) -> html.Div:
    years = known or [view.year]
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(t("year", view.lang), html_for="ctl-year"),
                            dropdown(
                                view.lang,
                                id="ctl-year",
                                options=[{"label": str(y), "value": y} for y in years],
                                value=view.year,
                                clearable=False,
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("metric", view.lang), html_for="ctl-metric"),
                            dropdown(
                                view.lang,
                                id="ctl-metric",
                                options=metric_options(
                                    view.year,
                                    view.lang,
                                    with_change=previous is not None,
                                    definition=view.definition,
                                    national=view.maplevel == "tambon",
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
                                id="ctl-colour",
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
                            dbc.Label(t("definition", view.lang), html_for="ctl-definition"),
                            dropdown(
                                view.lang,
                                id="ctl-definition",
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
                            dbc.Label(t("stage.control", view.lang), html_for="ctl-age"),
                            dropdown(
                                view.lang,
                                id="ctl-age",
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
                                id="ctl-dims",
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
                                id="ctl-level",
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


def _definition_note(f: dict | None, view: View) -> html.P | None:
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


def _pyramid(code: str, name: str, f: dict | None, view: View, mask: int) -> html.Div | None:
    """The population pyramid of an area with survey microdata (all its stages, whichever is chosen): read from
    the life-stage rollup once per import and kept, like every public figure."""
    if f is None or f["source"] != "survey":
        return None
    items = figures_da.pyramid_items(code, view.year, mask, definition=view.definition)
    title = t("pyramid.title", view.lang, area=name, year=view.year, who=who(f["definition"], view.lang))
    figure = pyramid(items, view.lang, title, who=who(f["definition"], view.lang), present=view.present)
    return html.Div(
        dcc.Graph(id="area-pyramid", figure=figure, config=graph_config(f"tpmap-{code}-pyramid", view.lang, view.present)),
        className="tp-pyramid my-2",
    )


def _no_figures(area: dict, view: View, unsplit: bool = False):
    """A tambon whose people TPMAP counts under a municipal unit says so (never "no data"); a life stage asked of
    published figures says they cannot be split."""
    if unsplit:
        return html.P(t("stage.no_split", view.lang, year=view.year), className="tp-nodata", id="no-stage-split")
    if area.get("counted_under"):
        unit = areas_da.get_area(area["counted_under"]) or {"code": area["counted_under"]}
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
    units = areas_da.municipal_units_of(area["parent_code"]) if area["level"] == "tambon" and area["parent_code"] else []
    if units:
        # no row of its own, but its amphoe has municipal units that TPMAP reports apart: say where to look
        links = []
        for i, u in enumerate(units):
            links += ([", "] if i else []) + [dcc.Link(area_name(u, view.lang), href=f"/area/{u['code']}{view.query()}")]
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


def metric_column(view: View) -> list[dict]:
    """The column of the map's metric, unless a figure column shows the same value (the share of target poor was
    shown twice, as "ร้อยละ" and "คนจนเป้าหมาย (ร้อยละ)")."""
    if (view.metric, view.colour) in SHOWN_BY_FIGURE_COLUMNS:
        return []
    return [
        {
            "name": f"{metric_label(view.metric, view.lang, view.definition)} ({unit_of(view.metric, view.colour, view.lang)})",
            "id": "value",
            "numeric": True,
            "format": lambda v: format_value(v, view.metric, view.colour),
        }
    ]


def _table(children: list[dict], view: View) -> html.Div:
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
            *metric_column(view),
        ],
    )


def area_parts(code: str, view: View, *, full: bool = True) -> dict | html.Div:
    """Everything an area page shows, computed once and named: the first render assembles the parts into a page
    (area_view), and a control's change sends only the parts that changed (pages/area.py, in place). With
    full=False (a metric or colour change) only the map, the table, the links and the state are made: the cards, the
    star and the sections below do not change with them. A page that cannot be drawn (an unknown code) comes back
    as that page instead."""
    here = "/" if code == "TH" else f"/area/{code}"
    # read once per render (the controls list them too); a year given but not held never gets here:
    # components.layout.guard_years answers it for every page
    years = figures_da.known_years()
    view = view.at(code)  # no year asked: this area's latest edition (a drill-down keeps none asked)
    mask = dimensions_mask(view.dims)
    chain = areas_da.ancestors(code)
    if not chain or chain[-1]["code"] != code:
        return not_found(t("notfound.area", view.lang, code=code), view.lang)
    area = chain[-1]
    name = area_name(area, view.lang)
    unsplit = False  # a life stage asked of an area with published figures only: said so, never all ages instead
    try:
        f = figures_da.area_summary(code, view.year, mask, definition=view.definition, stage=view.age) if full else None
    except figures_da.NotFound:
        f = None  # still show the map and table of the surroundings, and say so
    except ages_da.CannotSplit:
        f, unsplit = None, True
    local = area["level"] in LOCAL_LEVELS  # a tambon or a municipal unit: the map shows it among its amphoe's
    map_level = "amphoe" if local else area["level"]
    map_parent = area["parent_code"] if local else code
    # the country's map of every tambon: summed in the database like a ranking, no names written on it
    national = code == "TH" and view.maplevel == "tambon" and view.age is None  # the stored sums count all ages
    if national and view.metric not in figures_da.MAP_LEVEL_METRICS:
        view = replace(view, metric="target_poor")
    if not national and view.maplevel != "province":
        view = replace(view, maplevel="province")
    children = (
        figures_da.level_summaries("TH", "tambon", view.year, mask, definition=view.definition)
        if national
        else figures_da.children_summaries(
            map_parent, view.year, mask, include_counted_under=True, definition=view.definition, stage=view.age
        )
    )
    # under a life stage, children with published figures only have none of that stage: drawn as "no data"
    children = [c for c in children if c.get("age_split", True)]
    # the edition a change is measured from: the map's own area's, so that both editions have it
    previous = max((y for y in figures_da.years_of(map_parent) if y < view.year), default=None)
    changing = view.metric in CHANGE_METRICS and previous is not None
    if view.metric in CHANGE_METRICS and previous is None:
        view = replace(view, metric="target_poor")  # nothing earlier to compare with: the count itself
    if changing:
        before = {
            c["code"]: c
            for c in figures_da.children_summaries(
                map_parent, previous, mask, include_counted_under=True, definition=view.definition, stage=view.age
            )
            if c.get("age_split", True)
        }
        children = [c | {"_prev": before.get(c["code"])} for c in children]
    if view.metric in LOGBOOK_METRICS:
        progress = logbook_da.progress_children(map_parent, CHILD_DIGITS[map_level], view.year, viewer=current_user())
        children = [c | {"logbook": progress.get(c["code"], {})} for c in children]
    if view.metric.startswith(GAP):
        found = registers_da.gaps_children(map_parent, CHILD_DIGITS[map_level], view.year, viewer=current_user())
        children = [c | {"gaps": found.get(c["code"], {})} for c in children]
    shape_url = NATIONAL_TAMBONS if national else url_for_children(map_parent, map_level)
    all_codes = areas_da.codes_with_geometry("tambon") if national else areas_da.children_with_geometry(map_parent)
    with_geom = set(all_codes)
    mapped, symbols = map_layers(children, with_geom, view.lang)
    # at the country's scale hundreds of municipal units would be a rash of dots over the tambons: they are drawn on
    # each amphoe's map, and listed in the tables
    units_left_out = len(symbols) if national else 0
    symbols = [] if national else symbols
    values = [_sent(metric_value(c, view.metric, view.colour), view.metric) for c in mapped]
    if changing:  # an area lacking either edition is drawn grey with the "no data" areas, never as "no change"
        kept = [(c, v) for c, v in zip(mapped, values, strict=True) if v is not None]
        mapped, values = [c for c, _ in kept], [v for _, v in kept]
    # Logbook counts kept from this viewer: drawn apart from the scale (neither 0 nor "no data"), their bounds in words
    hidden = [(c, h) for c in mapped if (h := hidden_count(c, view.metric))]
    if hidden:
        apart = {c["code"] for c, _ in hidden}
        kept = [(c, v) for c, v in zip(mapped, values, strict=True) if c["code"] not in apart]
        mapped, values = [c for c, _ in kept], [v for _, v in kept]
    # names on the map, the areas with the most to show first (they keep their name where names would collide)
    map_frame = areas_da.map_frame(map_parent)
    spots = {} if national else map_frame.names_at
    named = sorted(
        (
            c
            for c in [*zip(mapped, values, strict=True), *((c, None) for c, _ in hidden)]
            if c[0]["code"] in spots and not c[0].get("counted_under")
        ),
        key=lambda cv: -(cv[1] or 0),
    )
    names_at = [(*spots[c["code"]], area_name(c, view.lang), v, map_frame.boxes.get(c["code"])) for c, v in named]
    label = metric_label(view.metric, view.lang, view.definition)
    if changing:
        label = t("metric.change_between", view.lang, metric=label, a=previous, b=view.year)
    unit = unit_of(view.metric, view.colour, view.lang)
    hover = (f"{label} ({unit})", HOVER_FORMAT.get(view.metric if view.metric == "mpi" else view.colour, ",.0f"))
    hover = hover if national else None
    # a tambon without figures beside municipal units: its people are counted in one of them
    missing_note = (
        t("map.no_change", view.lang, a=previous, b=view.year)
        if changing
        else t("map.in_municipal", view.lang)
        if any(c["level"] == "municipality" for c in children)
        else None
    )
    fig = choropleth(
        shape_url,
        [c["code"] for c in mapped],
        values,
        [c["_label"] for c in mapped],
        # the national map writes its values through one hover template: no 7,425 sentences to build
        [] if national else [f"{label}: {format_value(v, view.metric, view.colour)} {unit}" for v in values],
        all_codes,
        unit,
        t("map.title", view.lang, metric=label, area=name, year=view.year),
        highlight=code if area["level"] in LOCAL_LEVELS else None,
        hidden=[(c["code"], c["_label"], f"{label}: {fmt.count(h, view.lang)} {unit}") for c, h in hidden],
        symbols=[
            {
                "code": s["code"],
                "lon": s["point"][0],
                "lat": s["point"][1],
                "name": s["_label"],
                "value": _sent(v := metric_value(s, view.metric, view.colour), view.metric),
                "hover": f"{label}: {shown_value(s, v, view)} {unit}",
                "hidden": hidden_count(s, view.metric) is not None,
            }
            for s in symbols
        ],
        symbol_label=t("map.municipal_symbol", view.lang),
        missing_note=missing_note,
        diverging=changing,
        present=view.present,
        names_at=names_at,
        extent=map_frame.extent,
        hover=hover,
        meta={
            "hover": hover,
            "lang": view.lang,
            "missing_note": missing_note,
            "png": "tpmap-TH-tambons",
            "png_label": t("map.save_png", view.lang),
            "failed": t("map.load_failed", view.lang),
        }
        if national
        else None,
    )
    if not full:
        return {
            "view": view,
            "f": None,
            "figure": fig,
            "previous": previous,
            "topbar": topbar(chain, view, here),
            "actions": _actions(code, view, _households_link(code, view, local), local),
            "table": _table_part(code, view, children, top=TOP_ROWS if national else None),
            "state": _state(code, here, area, view, fig),
        }
    series = [(name, dimension_shares(f))] if f else []
    if f and area["parent_code"]:
        try:
            parent = figures_da.area_summary(area["parent_code"], view.year, mask, definition=view.definition, stage=view.age)
            series.append((t("parent", view.lang, name=area_name(parent, view.lang)), dimension_shares(parent)))
        except (figures_da.NotFound, ages_da.CannotSplit):
            pass
    earlier = [y for y in figures_da.years_of(code) if y < view.year]
    if f and earlier:  # the star over time: the area itself in the edition before
        try:
            before = figures_da.area_summary(code, earlier[-1], mask, definition=view.definition, stage=view.age)
            series.append((t("star.edition", view.lang, area=name, year=earlier[-1]), dimension_shares(before), "before"))
            # the cards say the change since it too (the same figures the change section's trend draws): only where
            # both editions count by the same definition
            if before.get("definition") == f.get("definition"):
                f = f | {"before": before | {"year": earlier[-1]}}
        except (figures_da.NotFound, ages_da.CannotSplit):
            pass
    # name the source only when there are figures to attribute (no "published figures of 2562" for a year TPMAP
    # did not publish here)
    source_key = None if f is None else "source.survey" if f["source"] == "survey" else "source.published"
    microdata = figures_da.has_survey(code, view.year)
    households_link = _households_link(code, view, local)
    counted = who(f["definition"] if f else view.definition, view.lang)
    star_title = (
        t("star.title", view.lang, who=counted)
        if view.present
        else t("star.title_of", view.lang, area=name, year=view.year, who=counted)
    )
    star_fig = star(series, view.lang, star_title, present=view.present) if f else None
    return {
        "view": view,
        "code": code,
        "here": here,
        "chain": chain,
        "area": area,
        "name": name,
        "f": f,
        "years": years,
        "previous": previous,
        "source_key": source_key,
        "figure": fig,
        "star": star_fig,
        "topbar": topbar(chain, view, here),
        "cards": [
            headline_cards(f, view.lang) if f else _no_figures(area, view, unsplit),
            _definition_note(f, view),
            _stage_note(view) if f else None,
        ],
        "weakest": weakest_sentence(f, name, view.lang) if f else None,
        "actions": _actions(code, view, households_link, local),
        "details": [
            _pyramid(code, name, f, view, mask),
            # villages are rolled up for all ages only
            _villages(code, view, mask) if local and microdata and view.age is None else None,
            _progress(code, view) if microdata else None,
            _change(code, name, chain[-2] if len(chain) > 1 else None, view),
            html.P(t("map.municipal_note", view.lang), className="tp-sub tp-chrome", id="municipal-note") if symbols else None,
            html.P(t("map.units_national", view.lang, n=units_left_out), className="tp-sub tp-chrome", id="municipal-note")
            if units_left_out
            else None,
        ],
        "table": _table_part(code, view, children, top=TOP_ROWS if national else None),
        "source": ([t(source_key, view.lang, year=view.year), " · "] if source_key else []) + [t("attribution", view.lang)],
        "state": _state(code, here, area, view, fig),
    }


def _households_link(code: str, view: View, local: bool):
    """The way to the area's households: signed in and covering it, the list; else why not, or how to sign in."""
    microdata = figures_da.has_survey(code, view.year)
    user = current_user()
    list_href = f"/area/{code}/households{view.query()}"
    if not microdata:
        households_link = html.Span(t("nodata.households", view.lang), className="tp-nodata", id="no-households")
    elif user is None:
        households_link = dcc.Link(
            t("auth.sign_in_for_households", view.lang),
            href="/login?next=" + list_href.replace("&", "%26"),
            refresh=True,
            className="btn btn-outline-primary tp-btn-big",
            id="households-sign-in",
        )
    elif not user.overlaps(code):
        households_link = html.Span(t("auth.outside_area", view.lang), className="tp-nodata", id="households-outside")
    else:
        # a user whose area is only part of this one is told whose households the list holds
        partial = not user.household_scope.contains(code)
        label = (
            t(
                "nav.households_in",
                view.lang,
                areas=", ".join(area_name(a, view.lang) for a in areas_da.names(list(user.areas)).values()),
            )
            if partial
            else t("nav.households", view.lang)
        )
        households_link = dcc.Link(label, href=list_href, className="btn btn-primary tp-btn-big", id="households-link")
    return households_link


def _state(code: str, here: str, area: dict, view: View, fig=None) -> dict:
    return {"code": code, "here": here, "level": area["level"], "query": view.query(), **view.as_dict()} | (
        {"map": map_signature(fig)} if fig is not None else {}
    )


def map_signature(fig) -> list[str]:
    """Which traces the map has and which areas each draws: an update whose map keeps them sends only the values."""
    import hashlib

    out = []
    for tr in fig["data"]:
        where = tuple(tr.get("locations") or ()) or tuple(tr.get("lon") or ())
        out.append(f"{tr['type']}:{tr.get('name')}:" + hashlib.sha1(repr(where).encode()).hexdigest()[:12])
    return out


def _table_part(code: str, view: View, children: list[dict], top: int | None = None) -> list:
    """The table of the map's areas; of the 7,425 tambons of the national map, those with the most to show (the
    ranking page lists them all)."""
    if top is not None:
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
            _table(shown, view),
        ]
    return [
        export_links(
            "children",
            view.lang,
            code=code,
            year=view.year,
            dims=",".join(view.dims) if tuple(view.dims) != DIMENSIONS else None,
            definition=view.definition,
        ),
        _table(children, view),
        html.P(t("lb.suppressed", view.lang, n=logbook_da.MIN_CELL), className="tp-sub small", id="table-suppressed")
        if any(hidden_count(c, view.metric) for c in children)
        else None,
    ]


NATIONAL_TAMBONS = "/shapes/tambons.json"
# the map the national tambon view hands to its canvas leaves the (hidden) plotly graph this
EMPTY_MAP: dict = {"data": [], "layout": {}}
SHOWN: dict = {}
HIDDEN = {"display": "none"}


def on_canvas(code: str, view: View) -> bool:
    """The national tambon map is drawn on a canvas (assets/canvas-map.js): 7,425 SVG paths made every recolour a
    restyle and repaint of the whole layer. Every other map stays plotly.js's."""
    return code == "TH" and view.maplevel == "tambon"


def map_element(code: str, view: View, figure: dict) -> html.Div:
    """The area's map: plotly.js's graph, or the canvas with the figure in its store. Both are always on the page,
    one hidden, so the page's update callback can switch between them in place (a drill-down from the national map
    to a tambon's amphoe), and a click on either reaches it as #area-map's clickData."""
    canvas = on_canvas(code, view)
    return html.Div(
        [
            dcc.Graph(
                id="area-map",
                figure=EMPTY_MAP if canvas else figure,
                config=graph_config(f"tpmap-{code}-map", view.lang, view.present),
                className="tp-map-graph" if view.present else None,
                style=HIDDEN if canvas else SHOWN,
            ),
            html.Div(
                html.Div(id="area-canvas-host", className="tp-cmap"),
                id="area-canvas-map",
                className="tp-map-graph" if view.present else None,
                style=SHOWN if canvas else HIDDEN,
            ),
            dcc.Store(id="area-canvas-fig", data=figure if canvas else None),
        ],
        id="area-map-box",
        className="tp-map-box",
    )


HOVER_FORMAT = {"mpi": ".4f", "share": ".2f", "count": ",.0f"}  # as format_value writes them
TOP_ROWS = 25


def area_view(code: str, view: View, tour: list[str] | None = None, every: int = 30):
    parts = area_parts(code, view)
    if not isinstance(parts, dict):
        return parts
    view, f = parts["view"], parts["f"]
    map_graph = map_element(code, view, parts["figure"])
    star_graph = (
        dcc.Graph(
            id="area-star",
            figure=parts["star"],
            config=graph_config(f"tpmap-{code}-star", view.lang, view.present),
            className="tp-star-graph" if view.present else None,
        )
        if f
        else None
    )
    if view.present:
        return _presentation(
            parts["chain"],
            view,
            parts["here"],
            parts["area"],
            f,
            parts["name"],
            map_graph,
            star_graph,
            parts["source_key"],
            tour,
            every,
            parts["years"],
            parts["previous"],
        )
    return html.Div(
        [
            html.Div(parts["topbar"], id="area-topbar"),
            _controls(view, parts["years"], parts["previous"], country=code == "TH"),
            html.Div(parts["cards"], id="area-cards"),
            html.P(parts["weakest"], className="tp-weakest", id="weakest"),
            dbc.Row(
                [
                    dbc.Col(map_graph, lg=7),
                    dbc.Col([html.Div(star_graph, id="area-star-box"), html.Div(parts["actions"], id="area-actions")], lg=5),
                ]
            ),
            html.Div(parts["details"], id="area-details"),
            html.Div(parts["table"], className="my-2", id="area-table-box"),
            html.P(parts["source"], className="tp-sub small my-3", id="source-line"),
            dcc.Store(id="area-state", data=parts["state"]),
            dcc.Location(id="area-nav", refresh="callback-nav"),
        ],
        id="area-page",
    )


def _actions(code: str, view: View, households_link, local: bool) -> html.Div:
    """The way on from an area: its households, its ranking, story, vulnerable households, pivot, committee and
    reports, each a link that keeps the view."""
    return html.Div(
        [
            households_link,
            dcc.Link(
                t("nav.ranking", view.lang),
                href=f"/ranking{view.query()}&area={code}",
                className="btn btn-outline-dark tp-btn-big ms-2",
                id="ranking-link",
            )
            if not local
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


def _presentation(
    chain: list[dict],
    view: View,
    here: str,
    area: dict,
    f: dict | None,
    name: str,
    map_graph,
    star_graph,
    source_key: str | None,
    tour: list[str] | None,
    every: int,
    years: list[int],
    previous: int | None,
) -> html.Div:
    """One 1920×1080 screen read from the back of a room: the map on two thirds of it (names written on it),
    beside it the sentence, the cards and the star; a tour says what comes next and pauses on the space bar."""
    side = [
        html.P(weakest_sentence(f, name, view.lang), className="tp-weakest", id="weakest") if f else None,
        headline_cards(f, view.lang, columns=2) if f else _no_figures(area, view),
        star_graph,
    ]
    return html.Div(
        [
            topbar(chain, view, here),
            # hidden, but there: the map's click callback listens to them
            _controls(view, years, previous),
            html.Div(
                [html.Div(map_graph, className="tp-present-map"), html.Div(side, className="tp-present-side")],
                className="tp-present-body",
            ),
            _tour(view, tour, every, area["code"]) if tour else None,
            html.P(
                ([t(source_key, view.lang, year=view.year), " · "] if source_key else []) + [t("attribution", view.lang)],
                className="tp-attribution",
                id="source-line",
            ),
            dcc.Store(
                id="area-state",
                data={"code": area["code"], "here": here, "level": area["level"], "query": view.query(), **view.as_dict()},
            ),
            dcc.Location(id="area-nav", refresh="callback-nav"),
        ],
        className="tp-present",
        id="area-page",
    )


def _tour(view: View, tour: list[str], every: int, code: str) -> html.Div:
    """The next stop and a countdown (assets/tour.js counts, pauses on Space or P, skips on →); the link
    it follows is an ordinary one, so a tour is just a sequence of addresses."""
    nxt = tour[(tour.index(code) + 1) % len(tour)] if code in tour else tour[0]
    href = (f"/area/{nxt}" if nxt != "TH" else "/") + view.query() + f"&tour={','.join(tour)}&every={every}"
    nxt_area = areas_da.get_area(nxt)
    nxt_name = area_name(nxt_area, view.lang) if nxt_area else nxt
    return html.Div(
        [
            html.Span(t("tour.next", view.lang, name=nxt_name, seconds=every), id="tour-text"),
            html.Button(t("tour.pause", view.lang), id="tour-pause", className="btn btn-outline-dark ms-3", type="button"),
            dcc.Link(t("tour.go", view.lang), href=href, id="tour-next-link", className="btn btn-outline-dark ms-2"),
        ],
        id="tour-status",
        className="tp-tour",
        **{
            "data-every": str(max(5, every)),
            "data-name": nxt_name,
            "data-next": t("tour.next", view.lang, name="{name}", seconds="{seconds}"),
            "data-paused": t("tour.paused", view.lang, name="{name}"),
            "data-pause": t("tour.pause", view.lang),
            "data-resume": t("tour.resume", view.lang),
        },
    )


def tour_args(tour: str, every: str) -> tuple[list[str] | None, int]:
    """tour=58,75,50&every=30 (with present=1): the stops, and the seconds at each."""
    stops = [c for c in tour.split(",") if c.strip()] if tour else None
    try:
        seconds = int(every)
    except ValueError:
        seconds = 30
    return stops, seconds
