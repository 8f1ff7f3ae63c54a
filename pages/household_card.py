"""/household/<house_id>: members, failed indicators, the household star and a map pin."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, MATCH, Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from auth.context import current_user
from components import fmt, logbook_ui
from components.dates import iso_from_parts
from components.feedback import reason
from components.figures import checked, graph_config, star
from components.i18n import area_name, t
from components.layout import dimension_badges, not_found, topbar
from components.view import parse
from components.widgets import data_table
from data_access import areas as areas_da
from data_access import logbook as logbook_da
from data_access.access import CurrentUser
from data_access.errors import BadRequest, ConflictError, DomainError, Unauthorized
from data_access.households import get_household, reveal_citizen_id
from data_access.policy import LOGBOOK_WRITE, may
from data_access.register_facts import assistance_loaded, register_receipts, with_logbook
from geo.shapes import url_for_children
from mpi.rules import DIMENSIONS

dash.register_page(__name__, path_template="/household/<house_id>", title="TPMAP Open")


def _pin_map(h: Mapping[str, Any], lang: str) -> go.Figure | None:
    if h["latitude"] is None:
        return None
    tambon: dict[str, Any] = dict(areas_da.get_area(h["tambon_code"]) or {})
    amphoe: str = tambon.get("parent_code") or ""
    fig = go.Figure(**checked())
    for locations, line, fill in _boundaries(h["tambon_code"], tambon):
        fig.add_trace(
            go.Choropleth(
                **checked(),
                geojson=url_for_children(amphoe, "amphoe"),
                featureidkey="properties.code",
                locations=locations,
                z=[1] * len(locations),
                colorscale=[[0, fill], [1, fill]],
                showscale=False,
                marker_line_color=line,
                marker_line_width=2 if line == "#c51b8a" else 0.8,
                hovertemplate=area_name(tambon, lang) + "<extra></extra>" if line == "#c51b8a" else "<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scattergeo(
            **checked(),
            lat=[h["latitude"]],
            lon=[h["longitude"]],
            mode="markers",
            marker={"size": 14, "color": "#49006a", "symbol": "circle"},
            hovertemplate=f"{h['house_id']}<br>%{{lat:.5f}}, %{{lon:.5f}}<extra></extra>",
        )
    )
    fig.update_geos(fitbounds="locations", visible=False)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=300, showlegend=False)
    return fig


def _boundaries(code: str, area: Mapping[str, Any]) -> list[tuple[list[str], str, str]]:
    """What the pin is drawn in, as (tambon codes, line colour, fill): the household's tambon; for a municipal unit
    (a point, no boundary of its own: the pin stood alone on white) the tambons whose people it counts, else its
    amphoe's tambons in grey around the pin."""
    if not area.get("parent_code"):
        return []
    if area.get("has_geometry"):
        return [([code], "#c51b8a", "#fde0dd")]
    if area.get("level") != "municipality":
        return []
    held = areas_da.tambons_counted_under(code)
    if held:
        return [(held, "#c51b8a", "#fde0dd")]
    return [(areas_da.children_with_geometry(area["parent_code"]), "#9e9e9e", "#f5f5f5")]


def _reveal_buttons(h: Mapping[str, Any], lang: str) -> html.Div:
    """One button per member: the full ID is fetched one record at a time, and each reveal is audited."""
    return html.Div(
        [
            html.Div(
                [
                    html.Button(
                        f"{t('auth.reveal', lang)} #{m['member']}",
                        className="btn btn-sm btn-outline-dark me-2 my-1",
                        id={"type": "reveal", "member": m["member"]},
                    ),
                    html.Code(id={"type": "revealed", "member": m["member"]}),
                ]
            )
            for m in h["members"]
        ]
        + [dcc.Store(id="reveal-house", data={"house_id": h["house_id"], "year": h.get("year")})],
        className="my-2",
        id="reveal-box",
    )


@callback(
    Output({"type": "revealed", "member": MATCH}, "children"),
    Input({"type": "reveal", "member": MATCH}, "n_clicks"),
    State("reveal-house", "data"),
    prevent_initial_call=True,
)
def reveal(_n: int | None, house: dict[str, Any]) -> str:
    member: int = ctx.triggered_id["member"]
    return reveal_citizen_id(house["house_id"], house["year"], member, user=current_user())


def _receives(facts: Sequence[Mapping[str, Any]], lang: str) -> str:
    """What the agencies' registers say a member receives (issue 33): the registers they are on, with the amount."""
    out = []
    for f in facts:
        if f["receives"]:
            name = f["name_th"] if lang == "th" else f["name_en"]
            out.append(name + (f" ({fmt.number(f['amount'])} {t('unit.baht', lang)})" if f["amount"] else ""))
    return " · ".join(out) or "–"


def _registers_checked(h: Mapping[str, Any], lang: str) -> html.P | None:
    """Which registers the members were looked up in, whose they are and as of when: absent from one is not on it."""
    facts: list[Mapping[str, Any]] = next((m["registers"] for m in h["members"] if m.get("registers")), [])
    if not facts:
        return None
    named = ", ".join(
        t(
            "hh.register_source",
            lang,
            name=f["name_th"] if lang == "th" else f["name_en"],
            owner=f["owner_th"] if lang == "th" else f["owner_en"],
            date=fmt.be_date(f["as_of"], lang),
        )
        for f in facts
    )
    return html.P(t("hh.registers_checked", lang, registers=named), className="tp-when", id="registers-checked")


def layout(house_id: str = "", **query: str) -> html.Div:
    view = parse(query, house_id[:6] if house_id[:6].isdigit() else None)
    lang = view.lang
    user = current_user()
    h = get_household(house_id, view.year, user=user)  # scoped and audited in data_access
    if h is None:
        return not_found(t("notfound.household", lang, code=house_id), lang)
    chain = areas_da.ancestors(h["tambon_code"])
    shares = {d: (1.0 if d in h["deprived_dimensions"] else 0.0) for d in DIMENSIONS}
    members = data_table(
        lang,
        id="members-table",
        data=[
            {
                "id": m["citizen_id"],
                "name": f"{m['first_name']} {m['last_name']}",
                "age": m["age"],
                "sex": t(f"sex.{m['sex']}", lang),
                "welfare": t("yes" if m["welfare_card"] else "no", lang),
                "disabled": t("yes" if m["disabled"] else "no", lang),
                "registers": _receives(m.get("registers", []), lang),
            }
            for m in h["members"]
        ],
        columns=[
            {"name": t("hh.citizen_id", lang), "id": "id"},
            {"name": t("hh.name", lang), "id": "name"},
            {"name": t("hh.age", lang), "id": "age"},
            {"name": t("hh.sex", lang), "id": "sex"},
            {"name": t("hh.welfare", lang), "id": "welfare"},
            {"name": t("hh.disabled", lang), "id": "disabled"},
            {"name": t("hh.registers", lang), "id": "registers"},
        ],
        style_cell={"padding": "6px 8px", "textAlign": "left"},
        style_header={"fontWeight": "bold"},
    )
    failed = (
        html.Ul(
            [
                html.Li(
                    [
                        html.Span(f["code"], className=f"tp-dim-icon tp-dim-{f['dimension']}"),
                        " ",
                        f["name_th"] if lang == "th" else f["name_en"],
                        _concerns(f, lang),
                    ]
                )
                for f in h["failed_indicators"]
            ],
            id="failed-indicators",
        )
        if h["failed_indicators"]
        else html.P(t("hh.none_failed", lang))
    )
    pin = _pin_map(h, lang)
    lb = logbook_da.logbook(user, house_id, view.year)
    _, by_code = _kinds(lang)
    # the agencies' assistance rows, kept with the page's state: a Logbook save shows its help beside them at once
    mine = register_receipts([(m["member"], m.get("registers", [])) for m in h["members"]])
    loaded = any(assistance_loaded(m.get("registers", [])) for m in h["members"])
    return html.Div(
        [
            topbar(chain, view, f"/household/{house_id}"),
            html.H2(
                [
                    t("hh.title", lang, house_id=h["house_id"]),
                    " ",
                    html.Span(t("hh.crisis", lang), className="badge bg-danger") if h["crisis"] else None,
                ],
                className="h4 my-2",
                id="household-title",
            ),
            html.P([f"{t('hh.village', lang)} {h['village_no']} · ", *dimension_badges(h["deprived_dimensions"], lang)]),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H3(t("hh.members_title", lang), className="h5"),
                            members,
                            _registers_checked(h, lang),
                            html.H3(t("recv.title", lang), className="h5 mt-3"),
                            html.Div(
                                logbook_ui.receipts(with_logbook(mine, lb["assistance"], by_code), lang, loaded),
                                id="receipts-box",
                            ),
                            _reveal_buttons(h, lang) if user is not None and user.may_reveal_ids else None,
                            html.H3(t("hh.failed_title", lang), className="h5 mt-3"),
                            failed,
                        ],
                        lg=7,
                    ),
                    dbc.Col(
                        [
                            dcc.Graph(
                                id="household-star",
                                figure=star([(h["house_id"], shares)], lang, t("star.household", lang)),
                                config=cast(Any, graph_config(f"tpmap-{house_id}-star", lang)),
                            ),
                            html.H3(t("hh.location", lang), className="h6"),
                            dcc.Graph(
                                id="household-map", figure=pin, config=cast(Any, graph_config(f"tpmap-{house_id}-map", lang))
                            )
                            if pin
                            else html.P(t("nodata", lang), className="tp-nodata"),
                        ],
                        lg=5,
                    ),
                ]
            ),
            logbook_ui.trajectory(
                logbook_da.trajectory(user, house_id, view.year),
                lang,
                by_code,
                view.year,
            ),
            _logbook_section(user, h, view.year, lang, lb, {"register_receipts": mine, "register_loaded": loaded}),
            dcc.Link(
                t("nav.back_to_area", lang),
                href=f"/area/{h['tambon_code']}/households{view.query()}",
                className="btn btn-outline-primary tp-btn-big my-3",
            ),
        ]
    )


def _kinds(lang: str) -> tuple[list[logbook_da.AssistanceKind], dict[str, logbook_da.AssistanceKind]]:
    kinds = logbook_da.assistance_kinds()
    return kinds, {k["code"]: k for k in kinds}


def _logbook_section(
    user: CurrentUser | None,
    h: Mapping[str, Any],
    year: int,
    lang: str,
    lb: Mapping[str, Any],
    received: dict[str, Any],
) -> html.Div:
    kinds, by_code = _kinds(lang)
    can_write = may(user, LOGBOOK_WRITE)
    return html.Div(
        [
            html.H3(t("lb.title", lang), className="h4 mt-4"),
            dbc.Row(
                [
                    dbc.Col(logbook_ui.forms(lb, lang, kinds, can_write), lg=6, className="order-lg-2"),
                    dbc.Col(
                        [
                            html.H4(t("lb.timeline", lang), className="h6"),
                            html.Div(logbook_ui.timeline(lb, lang, by_code), id="lb-timeline"),
                        ],
                        lg=6,
                    ),
                ]
            ),
            dcc.Store(
                id="lb-state", data={"house_id": h["house_id"], "year": year, "version": lb["version"], "lang": lang} | received
            ),
        ],
        id="logbook",
    )


# What a form forgets once its record is saved, so the next record starts clean (the date, the visitor and
# the agency stay: a team records several visits of one day, one agency's several kinds of help).
CLEARED: dict[str, list[tuple[str, Any]]] = {
    "visit": [("lb-visit-note", ""), ("lb-visit-lat", None), ("lb-visit-lon", None)],
    "need": [("lb-need-description", "")],
    "needupd": [],
    "assist": [("lb-assist-amount", None), ("lb-assist-note", "")],
    "status": [("lb-status-reason", "")],
    "member": [
        ("lb-member-cid", ""),
        ("lb-member-first", ""),
        ("lb-member-last", ""),
        ("lb-member-born-d", ""),
        ("lb-member-born-m", ""),
        ("lb-member-born-y", ""),
        ("lb-member-flags", []),
    ],
}


def _refused(key: str, state: dict[str, Any], error: DomainError) -> tuple[Any, ...]:
    """A refusal beside the form's button, in the reader's language, with everything typed kept for a retry. Someone
    else's write first (409) offers the household's current state, which the retry then names: without it the page
    kept its old version and every retry was refused again. A session that ended offers to sign in again."""
    lang = state["lang"]
    extra: Component | None = None
    if isinstance(error, ConflictError):
        extra = dbc.Button(
            t("lb.reload", lang), id={"type": "lb-reload", "form": key}, color="light", size="sm", className="ms-2"
        )
    elif isinstance(error, Unauthorized):
        extra = dcc.Link(t("auth.sign_in", lang), href=f"/login?next=/household/{state['house_id']}", refresh=True)
    return (
        dbc.Alert([reason(error, lang), " ", extra], color="danger", className="mb-0", id=f"lb-{key}-refused"),
        *[dash.no_update] * (5 + len(CLEARED[key])),
    )


def _result(key: str, state: dict[str, Any], outcome: Mapping[str, Any]) -> tuple[Any, ...]:
    """The message, the refreshed timeline and the new version after a save, and the form's fields cleared."""
    lang = state["lang"]
    lb = logbook_da.logbook(current_user(), state["house_id"], state["year"])
    _, by_code = _kinds(lang)
    warnings = [
        dbc.Alert(t("lb.gps_outside", lang, tambon=n["tambon"]), color="warning", className="mb-1")
        for n in outcome.get("notices", [])
        if n.get("code") == "gps_outside"
    ]
    message = html.Div(warnings + [dbc.Alert(t("lb.saved", lang), color="success", className="mb-0")])
    # the need lists follow every save: a need recorded now can be updated or linked to help at once
    return (
        message,
        logbook_ui.timeline(lb, lang, by_code),
        state | {"version": lb["version"]},
        logbook_ui.need_options(lb, lang),
        logbook_ui.assist_need_options(lb, lang),
        _receipts(state, lb, by_code),
        *[value for _, value in CLEARED[key]],
    )


def _receipts(state: Mapping[str, Any], lb: Mapping[str, Any], by_code: Mapping[str, Mapping[str, Any]]) -> html.Div:
    """What the household already receives after a save: the agencies' rows as the page read them, the Logbook's now."""
    rows = with_logbook(state.get("register_receipts", []), lb["assistance"], by_code)
    return logbook_ui.receipts(rows, state["lang"], bool(state.get("register_loaded")))


def _save(key: str, state: dict[str, Any], write: Callable[[], Mapping[str, Any]]) -> tuple[Any, ...]:
    try:
        return _result(key, state, write())
    except DomainError as e:  # the Logbook's refusals and a date that does not exist, in the reader's language
        return _refused(key, state, e)


@callback(
    Output("lb-timeline", "children", allow_duplicate=True),
    Output("lb-state", "data", allow_duplicate=True),
    Output("lb-needupd-need", "options", allow_duplicate=True),
    Output("lb-assist-need", "options", allow_duplicate=True),
    *[Output(f"lb-{key}-msg", "children", allow_duplicate=True) for key in CLEARED],
    Input({"type": "lb-reload", "form": ALL}, "n_clicks"),
    State("lb-state", "data"),
    prevent_initial_call=True,
)
def reload(clicks: list[int | None], state: dict[str, Any]) -> tuple[Any, ...]:
    """After a 409: the household's timeline, need lists and version as they are now; the forms keep what was typed,
    so saving again is one tap."""
    if not any(clicks):  # the button has just appeared
        raise PreventUpdate
    lang = state["lang"]
    lb = logbook_da.logbook(current_user(), state["house_id"], state["year"])
    _, by_code = _kinds(lang)
    form = ctx.triggered_id["form"]
    return (
        logbook_ui.timeline(lb, lang, by_code),
        state | {"version": lb["version"]},
        logbook_ui.need_options(lb, lang),
        logbook_ui.assist_need_options(lb, lang),
        *[dbc.Alert(t("lb.reloaded", lang), color="info", className="mb-0") if k == form else dash.no_update for k in CLEARED],
    )


# "Use my location": the phone's GPS fills the point (the browser asks the user first); nothing is sent until saved.
clientside_callback(
    """function (n) {
        var skip = [window.dash_clientside.no_update, window.dash_clientside.no_update];
        if (!n || !navigator.geolocation) { return skip; }
        return new Promise(function (resolve) {
            navigator.geolocation.getCurrentPosition(
                function (p) { resolve([+p.coords.latitude.toFixed(6), +p.coords.longitude.toFixed(6)]); },
                function () { resolve(skip); }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
        });
    }""",
    Output("lb-visit-lat", "value"),
    Output("lb-visit-lon", "value"),
    Input("lb-visit-locate", "n_clicks"),
    prevent_initial_call=True,
)


def _saving(key: str) -> list[tuple[Output, bool, bool]]:
    """While a save runs its button is disabled: a double tap on a slow phone sends one write, not two."""
    return [(Output(f"lb-{key}-save", "disabled"), True, False)]


def _outputs(key: str) -> tuple[Output, ...]:
    return (
        Output(f"lb-{key}-msg", "children"),
        Output("lb-timeline", "children", allow_duplicate=True),
        Output("lb-state", "data", allow_duplicate=True),
        Output("lb-needupd-need", "options", allow_duplicate=True),
        Output("lb-assist-need", "options", allow_duplicate=True),
        Output("receipts-box", "children", allow_duplicate=True),
        *[Output(field, "value", allow_duplicate=True) for field, _ in CLEARED[key]],
    )


def _need(value: object) -> int | None:
    """The need a form names (None: none chosen); anything but a need's number is a refusal, not a system error."""
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise BadRequest(f"need must be a need's number, got {str(value)[:20]!r}", key="err.choice", field="need")
    return int(str(value))


def _date_states(id_: str) -> list[State]:
    return [State(f"{id_}-{part}", "value") for part in "dmy"]


@callback(
    *_outputs("visit"),
    Input("lb-visit-save", "n_clicks"),
    *_date_states("lb-visit-date"),
    State("lb-visit-outcome", "value"),
    State("lb-visit-visitor", "value"),
    State("lb-visit-note", "value"),
    State("lb-visit-lat", "value"),
    State("lb-visit-lon", "value"),
    State("lb-state", "data"),
    running=_saving("visit"),
    prevent_initial_call=True,
)
def save_visit(
    _n: int | None,
    d: str | None,
    m: str | None,
    y: str | None,
    outcome: str,
    visitor: str | None,
    note: str | None,
    lat: float | None,
    lon: float | None,
    state: dict[str, Any],
) -> tuple[Any, ...]:
    return _save(
        "visit",
        state,
        lambda: logbook_da.add_visit(
            current_user(),
            state["house_id"],
            state["year"],
            visited_on=iso_from_parts(d, m, y, "visited_on"),
            outcome=outcome,
            visitor=visitor,
            note=note,
            latitude=lat,
            longitude=lon,
            version=state["version"],
        ),
    )


@callback(
    *_outputs("need"),
    Input("lb-need-save", "n_clicks"),
    State("lb-need-dimension", "value"),
    State("lb-need-description", "value"),
    State("lb-need-status", "value"),
    State("lb-state", "data"),
    running=_saving("need"),
    prevent_initial_call=True,
)
def save_need(_n: int | None, dimension: str, description: str | None, status: str, state: dict[str, Any]) -> tuple[Any, ...]:
    return _save(
        "need",
        state,
        lambda: logbook_da.add_need(
            current_user(),
            state["house_id"],
            state["year"],
            dimension=dimension,
            description=description or "",  # none typed: refused as required, as an empty field
            status=status,
            version=state["version"],
        ),
    )


@callback(
    *_outputs("needupd"),
    Input("lb-needupd-save", "n_clicks"),
    State("lb-needupd-need", "value"),
    State("lb-needupd-status", "value"),
    State("lb-state", "data"),
    running=_saving("needupd"),
    prevent_initial_call=True,
)
def save_need_update(_n: int | None, need: object, status: str, state: dict[str, Any]) -> tuple[Any, ...]:
    def write() -> Mapping[str, Any]:
        need_id = _need(need)
        if need_id is None:  # no open need to choose (int(None) was a "system error")
            raise BadRequest("choose the need to update", key="err.choice", field="need")
        return logbook_da.update_need(
            current_user(), state["house_id"], state["year"], need_id, status=status, version=state["version"]
        )

    return _save("needupd", state, write)


@callback(
    *_outputs("assist"),
    Input("lb-assist-save", "n_clicks"),
    *_date_states("lb-assist-date"),
    State("lb-assist-dimension", "value"),
    State("lb-assist-kind", "value"),
    State("lb-assist-agency", "value"),
    State("lb-assist-amount", "value"),
    State("lb-assist-need", "value"),
    State("lb-assist-note", "value"),
    State("lb-state", "data"),
    running=_saving("assist"),
    prevent_initial_call=True,
)
def save_assistance(
    _n: int | None,
    d: str | None,
    m: str | None,
    y: str | None,
    dimension: str,
    kind: str,
    agency: str | None,
    amount: float | None,
    need: object,
    note: str | None,
    state: dict[str, Any],
) -> tuple[Any, ...]:
    return _save(
        "assist",
        state,
        lambda: logbook_da.add_assistance(
            current_user(),
            state["house_id"],
            state["year"],
            given_on=iso_from_parts(d, m, y, "given_on"),
            dimension=dimension,
            kind=kind,
            agency=agency or "",  # none typed: refused as required, as an empty field
            amount_baht=amount,
            need_id=_need(need),
            note=note,
            version=state["version"],
        ),
    )


@callback(
    *_outputs("status"),
    Input("lb-status-save", "n_clicks"),
    State("lb-status-value", "value"),
    State("lb-status-reason", "value"),
    State("lb-state", "data"),
    running=_saving("status"),
    prevent_initial_call=True,
)
def save_status(_n: int | None, status: str, reason: str | None, state: dict[str, Any]) -> tuple[Any, ...]:
    return _save(
        "status",
        state,
        lambda: logbook_da.set_status(
            current_user(), state["house_id"], state["year"], status=status, reason=reason or "", version=state["version"]
        ),
    )


@callback(
    *_outputs("member"),
    Input("lb-member-save", "n_clicks"),
    State("lb-member-cid", "value"),
    State("lb-member-first", "value"),
    State("lb-member-last", "value"),
    State("lb-member-sex", "value"),
    *_date_states("lb-member-born"),
    State("lb-member-flags", "value"),
    State("lb-state", "data"),
    running=_saving("member"),
    prevent_initial_call=True,
)
def save_member(
    _n: int | None,
    cid: str | None,
    first: str | None,
    last: str | None,
    sex: str,
    d: str | None,
    m: str | None,
    y: str | None,
    flags: list[str] | None,
    state: dict[str, Any],
) -> tuple[Any, ...]:
    flags = flags or []
    return _save(
        "member",
        state,
        lambda: logbook_da.request_member(
            current_user(),
            state["year"],
            house_id=state["house_id"],
            citizen_id=(cid or "").strip(),
            first_name=first,
            last_name=last,
            sex=sex,
            birth_date=iso_from_parts(d, m, y, "birth_date"),
            welfare_card=int("welfare" in flags),
            disabled=int("disabled" in flags),
        ),
    )


def _concerns(failed: Mapping[str, Any], lang: str) -> str:
    """Whom a failed indicator is about (issue 34): the members within its scope by their number, or the household."""
    numbers = failed.get("concerns")
    if numbers is None:
        return f" ({t('hh.concerns_household', lang)})" if "concerns" in failed else ""
    return f" ({t('hh.concerns_members', lang, members=', '.join(map(str, numbers)))})"
