"""/logbook/requests: people the survey missed, waiting for the district chief (exclusion errors)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.development.base_component import Component

from auth.context import current_user
from components.i18n import said, t
from components.layout import export_links, topbar
from components.view import parse, request_lang
from data_access import areas as areas_da
from data_access import logbook as logbook_da
from data_access.access import CurrentUser
from data_access.policy import LOGBOOK_APPROVE, may

dash.register_page(__name__, path="/logbook/requests", title="TPMAP Open")


def _rows(user: CurrentUser, area: str, lang: str) -> list[html.Li]:
    items = logbook_da.list_requests(user, area)
    decides = may(user, LOGBOOK_APPROVE)
    out: list[html.Li] = []
    for r in reversed(items):
        header = (
            f"#{r['id']} · {r['first_name']} {r['last_name']} · {r['citizen_id']} · "
            f"{r['house_id'] or (r['tambon_code'] + ' ' + t('hh.village', lang) + ' ' + str(r['village_no']))}"
        )
        body: list[Component] = [
            html.Div(header, className="fw-bold"),
            html.Div(
                f"{r['status']} · {r['requested_by']} {str(r['requested_at'])[:10]}"
                + (f" · {r['decided_by']}: {r['reason']}" if r["reason"] else ""),
                className="tp-when",
            ),
        ]
        if decides and r["status"] == "pending" and r["tambon_code"][:4] in user.areas:
            body += [
                dcc.Textarea(
                    id={"type": "req-reason", "id": r["id"]},
                    className="form-control my-2",
                    rows=2,
                    placeholder=t("lb.reason", lang),
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            dbc.Button(
                                t("lb.approve", lang),
                                id={"type": "req-approve", "id": r["id"]},
                                color="success",
                                className="w-100",
                            )
                        ),
                        dbc.Col(
                            dbc.Button(
                                t("lb.reject", lang),
                                id={"type": "req-reject", "id": r["id"]},
                                color="danger",
                                outline=True,
                                className="w-100",
                            )
                        ),
                    ],
                    className="g-2",
                ),
                html.Div(id={"type": "req-msg", "id": r["id"]}, className="mt-2"),
            ]
        out.append(html.Li(body, className="tp-form"))
    return out


def layout(area: str | None = None, **query: str) -> html.Div:
    view = parse(query)
    user = current_user()
    if user is None:
        return html.Div(
            [
                html.P(t("auth.sign_in_for_households", view.lang)),
                dcc.Link(t("auth.sign_in", view.lang), href="/login?next=/logbook/requests", refresh=True),
            ]
        )
    area = area or user.areas[0]
    chain = areas_da.ancestors(area) or areas_da.ancestors("TH")
    rows = _rows(user, area, view.lang)
    return html.Div(
        [
            topbar(chain, view, "/logbook/requests"),
            html.H2(t("lb.requests", view.lang), className="h4 my-2"),
            export_links("requests", view.lang, area=area),
            html.Ul(rows, className="list-unstyled", id="requests-list")
            if rows
            else html.P(t("lb.empty", view.lang), className="tp-nodata"),
        ]
    )


@callback(
    Output({"type": "req-msg", "id": ALL}, "children"),
    Input({"type": "req-approve", "id": ALL}, "n_clicks"),
    Input({"type": "req-reject", "id": ALL}, "n_clicks"),
    State({"type": "req-reason", "id": ALL}, "value"),
    State({"type": "req-reason", "id": ALL}, "id"),
    prevent_initial_call=True,
)
def decide(
    _approve: list[int | None], _reject: list[int | None], reasons: list[str | None], ids: list[dict[str, Any]]
) -> list[Any]:  # an alert, or no_update, per request
    trigger = ctx.triggered_id
    if not trigger or not any((_approve or []) + (_reject or [])):
        return [dash.no_update] * len(ids)
    out: list[Any] = []
    for rid, reason in zip(ids, reasons, strict=True):
        if rid["id"] != trigger["id"]:
            out.append(dash.no_update)
            continue
        try:
            result = logbook_da.decide_request(current_user(), rid["id"], approve=trigger["type"] == "req-approve", reason=reason)
            out.append(dbc.Alert(t(f"lb.decided.{result['status']}", request_lang()), color="success", className="mb-0"))
        except (logbook_da.LogbookError, logbook_da.Conflict) as e:
            out.append(dbc.Alert(said(e, request_lang()), color="danger", className="mb-0"))
    return out
