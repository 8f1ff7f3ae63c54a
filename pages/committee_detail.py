"""/committees/<code>: one area's committee (ศจพ.), its members and orders, the upload form and the teams it sets up."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, NoUpdate, Output, State, callback, ctx, dcc, html
from dash.development.base_component import Component

from auth.context import current_user
from components import fmt
from components.i18n import area_name, said, t
from components.layout import not_found, sign_in_prompt, topbar
from components.view import View, parse, request_lang
from components.widgets import dropdown
from data_access import areas as areas_da
from data_access import committees as committees_da
from data_access.access import Forbidden
from pages._committee_shared import status_badge

dash.register_page(__name__, path_template="/committees/<code>", title="TPMAP Open")


def _upload_link(code: str, lang: str) -> html.Div:
    """The upload is a plain server-rendered form (Dash has no file <input> of its own, and a plain multipart POST
    streams the PDF in one request and works before any script has loaded)."""
    mb = committees_da.max_order_bytes() // 1048576
    return html.Div(
        [
            html.A(
                t("com.send", lang),
                href=f"/committees/{code}/orders?lang={lang}",
                id="order-upload-link",
                className="btn btn-primary tp-btn-big",
            ),
            html.Span(" " + t("com.upload", lang, mb=mb), className="tp-sub"),
        ],
        className="my-3",
    )


def area_layout(code: str, view: View, filed: str | None = None, error: str | None = None) -> html.Div:
    lang = view.lang
    user = current_user()
    here = f"/committees/{code}"
    if user is None:
        return sign_in_prompt(lang, here)
    chain = areas_da.ancestors(code)
    if not chain or chain[-1]["code"] != code:
        return not_found(t("notfound.area", lang, code=code), lang)
    data = committees_da.area_units(code)
    own = data["own"]
    may = committees_da.may_manage(user, code)
    alert = None
    if filed:
        alert = dbc.Alert(t("com.filed_ok", lang), color="success", id="committee-alert")
    elif error:
        alert = dbc.Alert(error, color="danger", id="committee-alert")
    head: list[Component] = [
        html.H2(
            own["name"]
            if own
            else f"{committees_da.SHORT_NAMES.get(data['expected_kind'] or '', '')}{area_name(chain[-1], lang)}",
            className="h4 my-2",
        )
    ]
    if own:
        head.append(
            html.Div(
                [
                    status_badge(own["status"], lang),
                    html.Span(f" {t('com.deadline', lang)} {fmt.be_date(own['deadline'], lang)}", className="tp-sub"),
                ],
                id="committee-status",
            )
        )
    else:
        head.append(html.P(t("com.none", lang), className="tp-nodata"))
    upload = None
    if may and data["expected_kind"]:
        upload = _upload_link(code, lang)
    members = own["members"] if own else []
    member_list = html.Ul(
        [
            html.Li(
                [
                    f"{m['name']} · {t('com.pos.' + m['position'], lang)}" + (f" · {m['agency']}" if m["agency"] else ""),
                    html.Button(
                        t("com.remove", lang),
                        id={"type": "member-remove", "index": m["id"]},
                        className="btn btn-sm btn-link text-danger",
                    )
                    if may
                    else None,
                ]
            )
            for m in members
        ],
        id="committee-members",
    )
    member_form = None
    if may and own:
        member_form = dbc.Row(
            [
                dbc.Col(dcc.Input(id="member-name", placeholder=t("hh.name", lang), className="form-control"), md=4),
                dbc.Col(
                    dropdown(
                        lang,
                        id="member-position",
                        value="member",
                        clearable=False,
                        options=[{"label": t(f"com.pos.{p}", lang), "value": p} for p in committees_da.POSITIONS],
                    ),
                    md=3,
                ),
                dbc.Col(dcc.Input(id="member-agency", placeholder=t("com.agency", lang), className="form-control"), md=3),
                dbc.Col(dbc.Button(t("com.add_member", lang), id="member-add", color="secondary"), md=2),
            ],
            className="g-2 my-2",
        )
    orders = html.Ul(
        [
            html.Li(
                [
                    html.A(f"{o['order_no']}", href=f"/api/v1/committee-orders/{o['id']}.pdf", target="_blank"),
                    f" · {t('com.order_date', lang)} {fmt.be_date(o['order_date'], lang)} · "
                    f"{t('com.filed_on', lang)} {fmt.be_date(o['filed_on'], lang)} · {o['uploaded_by']}",
                ]
            )
            for o in (own["orders"] if own else [])
        ],
        id="committee-orders",
    )
    links = None
    if len(code) == 2:
        links = dcc.Link(
            t("com.title", lang) + " →",
            href=f"/committees?level=amphoe&parent={code}" + view.query().replace("?", "&"),
            id="committee-amphoes",
        )
    others = [u for u in data["units"] if not own or u["id"] != own["id"]]
    sub_items = [
        html.Li(
            [
                html.Span(f"{u['name']} ({u['area_code']}) "),
                status_badge(u["status"], lang),
                html.Span(
                    f" · {t('com.members', lang)} {len(u['members'])}" + (f" · {u['order_no']}" if u["order_no"] else ""),
                    className="tp-sub",
                ),
                html.A(
                    t("com.send", lang),
                    href=f"/committees/{code}/orders?unit={u['id']}&lang={lang}",
                    className="btn btn-sm btn-outline-primary ms-2",
                )
                if committees_da.may_manage(user, u["area_code"])
                else None,
            ]
        )
        for u in others
    ]
    team_form = None
    if may and len(code) in (4, 6):
        team_form = dbc.Row(
            [
                dbc.Col(dcc.Input(id="team-name", placeholder=t("com.team_name", lang), className="form-control"), md=6),
                dbc.Col(dbc.Button(t("com.new_team", lang), id="team-add", color="secondary"), md=3),
                dbc.Col(html.Div(id="team-result"), md=3),
            ],
            className="g-2 my-2",
        )
    sub = html.Div(
        [
            html.H3(t("com.sub_units", lang), className="h5 mt-4"),
            links,
            html.Ul(sub_items, id="committee-sub-units") if sub_items else None,
            team_form,
        ]
    )
    return html.Div(
        [
            topbar(chain, view, here),
            alert,
            *head,
            html.P(t("com.rule", lang), className="tp-sub"),
            upload,
            html.H3(t("com.members", lang), className="h5 mt-3"),
            member_list,
            member_form,
            html.Div(id="member-result"),
            html.H3(t("com.orders", lang), className="h5 mt-3"),
            orders,
            sub,
            dcc.Store(id="committee-unit", data={"id": own["id"] if own else None, "code": code}),
            dcc.Store(id="committee-team-area", data={"code": code}),
            dcc.Location(id="committee-reload", refresh=True),
        ]
    )


@callback(
    Output("member-result", "children"),
    Output("committee-reload", "href"),
    Input("member-add", "n_clicks"),
    Input({"type": "member-remove", "index": ALL}, "n_clicks"),
    State("member-name", "value"),
    State("member-position", "value"),
    State("member-agency", "value"),
    State("committee-unit", "data"),
    prevent_initial_call=True,
)
def change_members(
    _add: int | None,
    _removes: list[int | None],
    name: str | None,
    position: str | None,
    agency: str | None,
    unit: dict[str, Any],
) -> tuple[dbc.Alert | NoUpdate | None, str | NoUpdate]:
    trigger = ctx.triggered_id
    if trigger is None or not ctx.triggered[0]["value"]:
        return dash.no_update, dash.no_update
    try:
        if trigger == "member-add":
            committees_da.add_member(current_user(), unit["id"], name=name or "", position=position or "member", agency=agency)
        else:
            committees_da.remove_member(current_user(), unit["id"], int(trigger["index"]))
    except (committees_da.CommitteeError, committees_da.NotFound, Forbidden) as e:
        return dbc.Alert(said(e, request_lang()), color="danger"), dash.no_update
    return None, f"/committees/{unit['code']}"


@callback(
    Output("team-result", "children"),
    Output("committee-reload", "href", allow_duplicate=True),
    Input("team-add", "n_clicks"),
    State("team-name", "value"),
    State("committee-team-area", "data"),
    prevent_initial_call=True,
)
def add_team(n: int | None, name: str | None, area: dict[str, str]) -> tuple[dbc.Alert | NoUpdate | None, str | NoUpdate]:
    if not n:
        return dash.no_update, dash.no_update
    try:
        committees_da.create_unit(current_user(), kind="operation_team", area_code=area["code"], name=name or "")
    except (committees_da.CommitteeError, committees_da.NotFound, Forbidden) as e:
        return dbc.Alert(said(e, request_lang()), color="danger"), dash.no_update
    return None, f"/committees/{area['code']}"


def layout(code: str = "TH", filed: str | None = None, error: str | None = None, **query: str) -> html.Div:
    return area_layout(code, parse(query), filed=filed, error=error)
