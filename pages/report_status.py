"""/reports: which provinces have submitted their quarterly report (map and table, for the national committee);
/reports/<province>/<quarter>: the province's report with its figures filled in, its own text, draft and submit."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.context import current_user
from components import fmt
from components.figures import status_map
from components.i18n import area_name, said, t
from components.layout import export_links, not_found, sign_in_prompt, topbar
from components.view import parse
from components.widgets import data_table
from data_access import areas as areas_da
from data_access import reports as reports_da
from mpi.governance import DateError, parse_quarter
from pages._map_canvas import still_map

dash.register_page(__name__, path="/reports", title="TPMAP Open")

PALETTE = {"submitted": "#1a9850", "draft": "#fee08b", "none": "#d73027"}
STATES = tuple(PALETTE)


def _quarters(current: tuple[int, int], n: int = 8) -> list[str]:
    y, q = current
    out = []
    for _ in range(n):
        out.append(f"{y}-Q{q}")
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return out


def layout(quarter: str | None = None, **query: str) -> html.Div:
    view = parse(query)
    lang = view.lang
    user = current_user()
    if user is None:
        return sign_in_prompt(lang, "/reports")
    try:
        year, q = parse_quarter(quarter) if quarter else reports_da.current_quarter()
    except DateError as e:
        return not_found(said(e, lang), lang)
    quarter = f"{year}-Q{q}"
    rows = reports_da.submissions(user, year, q)
    counts = {s: sum(r["status"] == s for r in rows) for s in STATES}
    fig = status_map(
        "/shapes/provinces.json",
        [r["code"] for r in rows],
        [r["status"] for r in rows],
        [area_name(r, lang) for r in rows],
        PALETTE,
        {s: t(f"rep.status.{s}", lang) for s in STATES},
        t("rep.who", lang),
        extent=areas_da.map_frame("TH").extent,
    )
    # the provinces of the user's own areas, by name: a national account's area is the country ("TH" has two
    # letters too, and was offered as "the report of TH"), which files no report of its own
    own = [a for a in areas_da.names(list(user.areas)).values() if a["level"] == "province"]
    choose = html.Div(
        [
            dcc.Link(
                qq,
                href=f"/reports?quarter={qq}" + view.query().replace("?", "&"),
                className="btn btn-sm me-1 " + ("btn-dark" if qq == quarter else "btn-outline-dark"),
            )
            for qq in _quarters(reports_da.current_quarter())
        ],
        className="my-2",
        id="report-quarters",
    )
    table = data_table(
        lang,
        id="report-table",
        sort_action="native",
        filter_action="native",
        page_size=80,
        markdown_options={"link_target": "_self"},
        data=[
            {
                "name": (
                    f"[{area_name(r, lang)}](/reports/{r['code']}/{quarter}{view.query()})"
                    if reports_da.may_read(user, r["code"])
                    else area_name(r, lang)
                ),
                "code": r["code"],
                "status": t(f"rep.status.{r['status']}", lang),
                "submitted_at": fmt.be_date(r["submitted_at"], lang),
                "by": r["submitted_by"] or "",
                "overdue": t("rep.overdue", lang) if r["overdue"] else "",
                "pdf": f"[PDF]({r['pdf']})" if reports_da.may_read(user, r["code"]) and r["status"] != "none" else "",
            }
            for r in rows
        ],
        columns=[
            {"name": t("table.area", lang), "id": "name", "presentation": "markdown"},
            {"name": t("table.code", lang), "id": "code"},
            {"name": t("com.status", lang), "id": "status"},
            {"name": t("rep.status.submitted", lang), "id": "submitted_at"},
            {"name": "", "id": "by"},
            {"name": t("rep.overdue", lang), "id": "overdue"},
            {"name": "PDF", "id": "pdf", "presentation": "markdown"},
        ],
        style_cell={"padding": "4px 8px", "textAlign": "left"},
        style_header={"fontWeight": "bold"},
        style_data_conditional=[
            {
                "if": {"filter_query": f'{{status}} = "{t(f"rep.status.{s}", lang)}"', "column_id": "status"},
                "backgroundColor": c,
                "color": "#111" if s == "draft" else "#fff",
            }
            for s, c in PALETTE.items()
        ],
    )
    return html.Div(
        [
            topbar(areas_da.ancestors("TH"), view, "/reports"),
            html.H2(t("rep.who", lang) + " · " + reports_da.quarter_label(year, q, lang), className="h4 my-2"),
            choose,
            html.Div(
                [
                    dcc.Link(
                        t("rep.title", lang) + f": {area_name(a, lang)}",
                        href=f"/reports/{a['code']}/{quarter}" + view.query(),
                        className="btn btn-primary tp-btn-big me-2",
                        id=f"report-own-{a['code']}",
                    )
                    for a in own
                ]
            ),
            html.P(t("rep.counts", lang, total=len(rows), **counts), className="lead my-2", id="report-counts"),
            dbc.Row(
                [
                    dbc.Col(still_map("report-map", fig, "tpmap-reports", lang), lg=5),
                    dbc.Col([export_links("reports", lang, quarter=quarter), table], lg=7),
                ]
            ),
        ]
    )
