"""/reports/<province>/<quarter>: one province's quarterly report: figures filled in, its own text, draft, submit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, NoUpdate, Output, State, callback, dcc, html

from auth.context import current_user
from components import fmt
from components.figures import choropleth, graph_config, star
from components.i18n import area_name, said, t
from components.labels import change_rows, report_state
from components.layout import card, card_row, not_found, sign_in_prompt, topbar
from components.view import View, parse
from data_access import areas as areas_da
from data_access import reports as reports_da
from data_access.access import Forbidden
from data_access.reports import QuarterFigures
from geo.shapes import url_for_children
from mpi.governance import DateError, parse_quarter
from mpi.rules import DIMENSIONS
from pages._map_canvas import still_map

dash.register_page(__name__, path_template="/reports/<province>/<quarter>", title="TPMAP Open")


def _star(f: QuarterFigures, name: str, lang: str) -> dbc.Row | None:
    """The star of the report (the PDF draws the same shares), with the map one click away."""
    tp = f.get("target_poor_persons") or 0
    if not tp:
        return None
    shares = {d: (f.get("dimension_target_poor") or {}).get(d, 0) / tp for d in DIMENSIONS}
    province = f["province_code"]
    amphoes = f.get("amphoes") or []
    # the map the PDF draws: the province's amphoes by their (frozen) target poor
    mf = areas_da.map_frame(province)
    report_map = (
        choropleth(
            url_for_children(province, "province"),
            [a["code"] for a in amphoes],
            [a["target_poor_persons"] for a in amphoes],
            [area_name(a, lang) for a in amphoes],
            [f"{t('metric.target_poor', lang)}: {fmt.number(a['target_poor_persons'])}" for a in amphoes],
            areas_da.children_with_geometry(province),
            t("unit.persons", lang),
            t("rep.map_title", lang),
            extent=mf.extent,
            names_at=[
                (*mf.names_at[a["code"]], area_name(a, lang), a["target_poor_persons"], mf.boxes.get(a["code"]))
                for a in sorted(amphoes, key=lambda a: -(a["target_poor_persons"] or 0))
                if a["code"] in mf.names_at
            ],
        )
        if amphoes
        else None
    )
    return dbc.Row(
        [
            dbc.Col(
                still_map("report-map-province", report_map, f"tpmap-report-{province}-map", lang) if report_map else None,
                md=6,
            ),
            dbc.Col(
                [
                    dcc.Graph(
                        id="report-star",
                        figure=star([(name, shares)], lang, t("rep.star_title", lang)),
                        config=graph_config(f"tpmap-report-{province}-star", lang),
                    ),
                    dcc.Link(
                        t("rep.map_title", lang) + " →",
                        href=f"/area/{province}?year={f.get('survey_year')}",
                        className="btn btn-outline-dark tp-btn-big mt-2",
                        id="report-map-link",
                    ),
                ],
                md=6,
            ),
        ]
    )


def report_layout(province: str, quarter: str, view: View, saved: str | None = None) -> html.Div:
    lang = view.lang
    user = current_user()
    here = f"/reports/{province}/{quarter}"
    if user is None:
        return sign_in_prompt(lang, here)
    try:
        year, q = parse_quarter(quarter)
        report = reports_da.get_report(user, province, year, q)
    except (DateError, reports_da.ReportError) as e:
        return not_found(said(e, lang), lang)
    except Forbidden as e:
        return html.Div(
            [topbar(areas_da.ancestors("TH"), view, here), dbc.Alert(said(e, lang), color="danger", id="report-denied")]
        )
    f: Mapping[str, Any] = report["figures"] or {}  # no figures yet: every card says "–"
    chain = areas_da.ancestors(province)
    name = area_name(chain[-1], lang) if chain else province
    editable = report["may_write"] and report["status"] != "submitted"
    cards = card_row(
        [
            card(t("metric.target_poor", lang), fmt.number(f.get("target_poor_persons")), id_="rep-target-poor"),
            card(t("rank.ge3", lang), fmt.number(f.get("crisis_ge3")), id_="rep-crisis"),
            card(
                t("rep.visits", lang),
                fmt.number(f.get("visits")),
                t("rep.households_visited", lang) + ": " + fmt.number(f.get("households_visited")),
                id_="rep-visits",
            ),
            card(
                t("rep.assistance", lang),
                fmt.number(f.get("assistance")),
                t("rep.baht", lang) + ": " + fmt.number(f.get("assistance_baht")),
                id_="rep-assistance",
            ),
            card(
                t("rep.open_needs", lang, end=fmt.be_date(f.get("end"), lang)),
                fmt.number(sum((f.get("open_needs") or {}).values())),
                " · ".join(f"{t('dim.' + d, lang)} {(f.get('open_needs') or {}).get(d, 0)}" for d in DIMENSIONS),
                id_="rep-needs",
            ),
        ]
    )
    state = report_state(report, lang)
    fields: list[html.Label] = []
    for key in reports_da.TEXT_FIELDS:
        fields.append(
            html.Label(
                [
                    html.Span(t(f"rep.{key}", lang), className="fw-bold"),
                    dcc.Textarea(
                        id=f"report-{key}",
                        value=report[key],
                        disabled=not editable,
                        maxLength=reports_da.TEXT_LIMIT,
                        className="form-control",
                        style={"minHeight": "120px"},
                    ),
                ],
                className="w-100 my-2",
            )
        )
    buttons = html.Div(
        [
            dbc.Button(
                t("rep.save_draft", lang), id="report-save", color="secondary", className="tp-btn-big me-2", disabled=not editable
            ),
            dbc.Button(
                t("rep.submit", lang), id="report-submit", color="primary", className="tp-btn-big me-2", disabled=not editable
            ),
            html.A(
                t("rep.download_pdf", lang),
                href=f"/reports/quarterly/{province}/{quarter}.pdf?lang={lang}",
                id="report-pdf",
                className="btn btn-outline-dark tp-btn-big me-2",
            ),
            html.A(
                t("rep.download_xlsx", lang),
                href=f"/reports/quarterly/{province}/{quarter}.xlsx?lang={lang}",
                id="report-xlsx",
                className="btn btn-outline-dark tp-btn-big",
            ),
        ],
        className="my-2",
    )
    return html.Div(
        [
            topbar(chain or areas_da.ancestors("TH"), view, here),
            html.H2(t("rep.title", lang), className="h4 mt-2"),
            html.H3(t("rep.province", lang, name=name), className="h5"),
            html.P(reports_da.quarter_label(year, q, lang), className="tp-sub"),
            html.P(state, id="report-state", className="fw-bold " + ("text-success" if report["status"] == "submitted" else "")),
            cards,
            html.Div(
                [
                    html.H4(t("rep.change", lang), className="h6 mt-2"),
                    *(html.P([html.B(label + ": "), shown], className="mb-1") for label, _, shown in change_rows(f, lang)),
                ],
                id="report-change",
            ),
            _star(report["figures"], name, lang) if report["figures"] else None,
            *fields,
            buttons,
            html.Div(id="report-result"),
            dcc.Store(
                id="report-key", data={"province": province, "quarter": quarter, "version": report["version"], "lang": lang}
            ),
            dcc.Link(t("rep.who", lang), href=f"/reports?quarter={quarter}" + view.query().replace("?", "&")),
        ]
    )


@callback(
    Output("report-result", "children"),
    Output("report-key", "data"),
    Output("report-state", "children"),
    Output("report-save", "disabled"),
    Output("report-submit", "disabled"),
    Input("report-save", "n_clicks"),
    Input("report-submit", "n_clicks"),
    State("report-progress", "value"),
    State("report-obstacles", "value"),
    State("report-suggestions", "value"),
    State("report-key", "data"),
    prevent_initial_call=True,
)
def save_report(
    _save: int | None,
    _submit: int | None,
    progress: str | None,
    obstacles: str | None,
    suggestions: str | None,
    key: dict[str, Any],
) -> tuple[dbc.Alert, dict[str, Any] | NoUpdate, str | NoUpdate, bool | NoUpdate, bool | NoUpdate]:
    from dash import ctx

    lang = key.get("lang", "th")
    submit = ctx.triggered_id == "report-submit"
    year, q = parse_quarter(key["quarter"])
    try:
        r = reports_da.save(
            current_user(),
            key["province"],
            year,
            q,
            texts={"progress": progress or "", "obstacles": obstacles or "", "suggestions": suggestions or ""},
            version=key["version"],
            submit=submit,
        )
    except (reports_da.ReportError, reports_da.ReportConflict, Forbidden) as e:
        return dbc.Alert(said(e, lang), color="danger"), dash.no_update, dash.no_update, dash.no_update, dash.no_update
    done = r["status"] == "submitted"
    state = report_state(r, lang)
    return (
        dbc.Alert(t("rep.submitted_ok" if done else "rep.saved", lang), color="success", id="report-ok"),
        key | {"version": r["version"]},
        state,
        done,
        done,
    )


def layout(province: str = "", quarter: str = "", **query: str) -> html.Div:
    return report_layout(province, quarter, parse(query))
