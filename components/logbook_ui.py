"""The household page's Logbook: a timeline and one form per record type, sized for a phone; and what the household
already receives, the agencies' assistance rows beside the Logbook's (issue 33)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from components import fmt
from components.dates import be_date_input
from components.i18n import t
from components.widgets import plain_table
from mpi.rules import DIMENSIONS

LADDER = ("survival", "sufficiency", "sustainability")
OUTCOMES = ("verified", "not_found", "inclusion_error")
NEED_STATUSES = ("open", "in_progress", "resolved")


def _describe(entry: Mapping[str, Any], lang: str, kinds: Mapping[str, Mapping[str, Any]]) -> list[Component]:
    r = entry["record"]
    text: list[str | Component]
    if entry["kind"] == "visit":
        text = ["🚪 ", t(f"lb.outcome.{r['outcome']}", lang)]
        if r.get("note"):
            text.append(f" · {r['note']}")
        if r.get("gps_inside_tambon") is False:
            text.append(" · ⚠ GPS")
    elif entry["kind"] == "need":
        text = [
            "📝 ",
            html.Span(t(f"dim.{r['dimension']}", lang), className=f"tp-dim-icon tp-dim-{r['dimension']}"),
            f" {r['description']} ({t('lb.need_status.' + r['status'], lang)})",
        ]
    elif entry["kind"] == "assistance":
        kind = kinds.get(r["kind"], {})
        amount = f" · {r['amount_baht']:,.0f} ฿" if r.get("amount_baht") else ""
        text = ["🤝 ", kind.get("name_th" if lang == "th" else "name_en", r["kind"]), f" · {r['agency']}{amount}"]
    else:
        text = ["⬆ ", t(f"lb.ladder.{r['status']}", lang), f" · {r['reason']}"]
    # the person who knocked (as the team typed it) before the account that saved the record
    who = r.get("visitor") or r.get("created_by") or r.get("changed_by") or ""
    return [html.Div(text), html.Div(f"{fmt.be_date(entry['on'], lang)} · {who}", className="tp-when")]


def timeline(lb: Mapping[str, Any], lang: str, kinds: Mapping[str, Mapping[str, Any]]) -> html.Div:
    status = t("lb.status_now", lang, status=t(f"lb.ladder.{lb['status']}", lang)) if lb["status"] else t("lb.no_status", lang)
    head = [
        html.P(
            [html.B(status)] + ([" · ", html.Span(t("lb.flagged", lang), className="text-danger")] if lb["flagged"] else []),
            id="lb-status-now",
        )
    ]
    if not lb["timeline"]:
        return html.Div(head + [html.P(t("lb.empty", lang), className="tp-nodata")])
    return html.Div(
        head
        + [html.Ul([html.Li(_describe(e, lang, kinds)) for e in lb["timeline"]], className="tp-timeline", id="lb-timeline-list")]
    )


def trajectory(
    steps: Sequence[Mapping[str, Any]], lang: str, kinds: Mapping[str, Mapping[str, Any]], year_on_screen: int
) -> html.Div | None:
    """The household across editions on one timeline: how each survey found it (target poor or not, which
    dimensions), and the Logbook work recorded while that edition was current, oldest first."""
    if len(steps) < 2:
        return None
    items = []
    on_screen = next((s.get("house_id") for s in steps if s["year"] == year_on_screen), None)
    for s in steps:
        moved = [" · ", t("traj.moved", lang, house=s["house_id"])] if s.get("house_id") not in (None, on_screen) else []
        if not s["surveyed"]:
            state: list = [t("traj.not_surveyed", lang)]
        elif s["target_poor"]:
            state = [
                t("traj.target_poor", lang, n=s["counted_members"], of=s["members"]),
                " ",
                *_badges(s["deprived_dimensions"], lang),
            ]
        elif s["deprived_dimensions"]:
            state = [t("traj.poor_not_target", lang), " ", *_badges(s["deprived_dimensions"], lang)]
        else:
            state = [t("traj.not_poor", lang)]
        here = " tp-traj-here" if s["year"] == year_on_screen else ""
        items.append(
            html.Li(
                [html.Div([html.B(t("traj.edition", lang, year=s["year"])), " · ", *state, *moved], className="tp-traj-edition")]
                + [html.Div(_describe(e, lang, kinds), className="tp-traj-event") for e in s["events"]],
                className="tp-traj-step" + here,
                id=f"traj-{s['year']}",
            )
        )
    return html.Div(
        [html.H3(t("traj.title", lang), className="h5 mt-3"), html.Ol(items, className="tp-trajectory")],
        id="household-trajectory",
    )


def _badges(dims: list[str], lang: str) -> list[Component]:
    return [html.Span(t(f"dim.{d}", lang), className=f"tp-dim-icon tp-dim-{d}") for d in dims]


def _field(label: str, control: Component) -> html.Label:
    return html.Label([label, control])


def _radios(id_: str, options: list[tuple[str, str]], value: str) -> dbc.RadioItems:
    return dbc.RadioItems(id=id_, options=[{"label": lab, "value": v} for v, lab in options], value=value)


def _form(title: str, key: str, children: list[Component], save: str, open_: bool = False) -> html.Details:
    """A collapsible form: its fields, a full-width save button and a message area for the result."""
    return html.Details(
        [
            html.Summary(title),
            *children,
            dbc.Button(save, id=f"lb-{key}-save", color="primary", className="w-100 mt-2"),
            html.Div(id=f"lb-{key}-msg", className="mt-2", role="status"),
        ],
        className="tp-form",
        open=open_,
        id=f"lb-{key}-form",
    )


def need_options(lb: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """The household's needs still open, as choices (refreshed after every save, so a new one shows at once)."""
    return [
        {"label": f"#{n['id']} {t('dim.' + n['dimension'], lang)}: {n['description'][:40]}", "value": n["id"]}
        for n in lb.get("needs", [])
        if n.get("status") != "resolved"
    ]


def assist_need_options(lb: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    return [{"label": "–", "value": ""}] + need_options(lb, lang)


def forms(lb: Mapping[str, Any], lang: str, kinds: Sequence[Mapping[str, Any]], can_write: bool) -> html.Div:
    if not can_write:
        return html.Div()
    today = dt.date.today()
    dims = [(d, t(f"dim.{d}", lang)) for d in DIMENSIONS]
    open_needs = need_options(lb, lang)
    save = t("lb.save", lang)

    def form(title: str, key: str, children: list[Component], open_: bool = False) -> html.Details:
        return _form(title, key, children, save, open_)

    return html.Div(
        [
            form(
                t("lb.visit", lang),
                "visit",
                [
                    be_date_input("lb-visit-date", t("lb.date", lang), lang, today, first_year=2000),
                    html.Div(
                        [
                            t("lb.outcome", lang),
                            _radios("lb-visit-outcome", [(o, t(f"lb.outcome.{o}", lang)) for o in OUTCOMES], "verified"),
                        ]
                    ),
                    _field(t("lb.visitor", lang), dcc.Input(id="lb-visit-visitor", type="text", className="form-control")),
                    _field(t("lb.note", lang), dcc.Textarea(id="lb-visit-note", className="form-control", rows=3)),
                    html.Div(t("lb.gps", lang)),
                    dbc.Row(
                        [
                            dbc.Col(
                                dcc.Input(
                                    id="lb-visit-lat",
                                    type="number",
                                    placeholder=t("lb.latitude", lang),
                                    className="form-control",
                                    step="any",
                                )
                            ),
                            dbc.Col(
                                dcc.Input(
                                    id="lb-visit-lon",
                                    type="number",
                                    placeholder=t("lb.longitude", lang),
                                    className="form-control",
                                    step="any",
                                )
                            ),
                        ],
                        className="g-2",
                    ),
                    dbc.Button(
                        t("lb.use_location", lang), id="lb-visit-locate", color="secondary", outline=True, className="w-100 mt-2"
                    ),
                ],
                open_=True,
            ),
            form(
                t("lb.need", lang),
                "need",
                [
                    html.Div([t("lb.dimension", lang), _radios("lb-need-dimension", dims, "income")]),
                    _field(t("lb.description", lang), dcc.Textarea(id="lb-need-description", className="form-control", rows=3)),
                    html.Div(
                        [
                            t("lb.need_status", lang),
                            _radios("lb-need-status", [(s, t(f"lb.need_status.{s}", lang)) for s in NEED_STATUSES], "open"),
                        ]
                    ),
                ],
            ),
            form(
                t("lb.need_update", lang),
                "needupd",
                [
                    _field(
                        t("lb.linked_need", lang),
                        dbc.Select(
                            id="lb-needupd-need", options=open_needs, value=open_needs[0]["value"] if open_needs else None
                        ),
                    ),
                    _radios("lb-needupd-status", [(s, t(f"lb.need_status.{s}", lang)) for s in NEED_STATUSES], "in_progress"),
                ],
            ),  # always there: a need recorded a moment ago can be updated without a reload
            form(
                t("lb.assistance", lang),
                "assist",
                [
                    be_date_input("lb-assist-date", t("lb.date", lang), lang, today, first_year=2000),
                    html.Div([t("lb.dimension", lang), _radios("lb-assist-dimension", dims, "income")]),
                    _field(
                        t("lb.kind", lang),
                        dbc.Select(
                            id="lb-assist-kind",
                            value=kinds[0]["code"] if kinds else None,
                            options=[
                                {"label": k["name_th"] if lang == "th" else k["name_en"], "value": k["code"]} for k in kinds
                            ],
                        ),
                    ),
                    _field(t("lb.agency", lang), dcc.Input(id="lb-assist-agency", type="text", className="form-control")),
                    _field(
                        t("lb.amount", lang), dcc.Input(id="lb-assist-amount", type="number", min=0, className="form-control")
                    ),
                    _field(
                        t("lb.linked_need", lang),
                        dbc.Select(id="lb-assist-need", options=assist_need_options(lb, lang), value=""),
                    ),
                    _field(t("lb.note", lang), dcc.Textarea(id="lb-assist-note", className="form-control", rows=2)),
                ],
            ),
            form(
                t("lb.status", lang),
                "status",
                [
                    _radios("lb-status-value", [(s, t(f"lb.ladder.{s}", lang)) for s in LADDER], lb["status"] or "survival"),
                    _field(t("lb.reason", lang), dcc.Textarea(id="lb-status-reason", className="form-control", rows=2)),
                ],
            ),
            form(
                t("lb.member", lang),
                "member",
                [
                    _field(
                        t("lb.citizen_id_13", lang),
                        dcc.Input(id="lb-member-cid", type="text", inputMode="numeric", maxLength=13, className="form-control"),
                    ),
                    dbc.Row(
                        [
                            dbc.Col(
                                _field(t("hh.name", lang), dcc.Input(id="lb-member-first", type="text", className="form-control"))
                            ),
                            dbc.Col(
                                _field(
                                    t("field.last_name", lang).capitalize(),
                                    dcc.Input(id="lb-member-last", type="text", className="form-control"),
                                )
                            ),
                        ],
                        className="g-2",
                    ),
                    _radios("lb-member-sex", [("M", t("sex.M", lang)), ("F", t("sex.F", lang))], "F"),
                    be_date_input("lb-member-born", t("lb.birth_date", lang), lang, None, first_year=1900),
                    dbc.Checklist(
                        id="lb-member-flags",
                        options=[
                            {"label": t("hh.welfare", lang), "value": "welfare"},
                            {"label": t("hh.disabled", lang), "value": "disabled"},
                        ],
                        value=[],
                    ),
                ],
            ),
        ],
        id="lb-forms",
    )


def _receipt_source(r: Mapping[str, Any], lang: str) -> str:
    """Where a receipt comes from, said whole: the agency's data and its date, or the Logbook and who gave it."""
    agency = r["agency_th"] if lang == "th" else r["agency_en"]
    if r["source"] == "register":
        return t("recv.source.register", lang, agency=agency, date=fmt.be_date(r["as_of"], lang))
    return t("recv.source.logbook", lang, agency=agency or "–")


def receipts(rows: Sequence[Mapping[str, Any]], lang: str, register_loaded: bool) -> html.Div:
    """What the household already receives (issue 33): the agencies' assistance rows beside the Logbook's recorded
    help (data_access.register_facts.receipts), newest first, each row saying its source."""
    note = None if register_loaded else html.P(t("recv.no_register", lang), className="tp-when", id="receipts-no-register")
    if not rows:
        return html.Div([note, html.P(t("recv.none", lang), className="tp-nodata", id="receipts-none")])
    table = plain_table(
        lang,
        id="receipts-table",
        rows=[
            {
                "on": fmt.be_date(r["on"], lang) if r["on"] else None,
                "on:sort": r["on"] or "",
                "what": r["what_th"] if lang == "th" else r["what_en"],
                "who": t("recv.member", lang, n=r["member"]) if r["member"] else t("recv.household", lang),
                "amount": r["amount"],
                "source": _receipt_source(r, lang),
                "source:sort": r["source"],
            }
            for r in rows
        ],
        columns=[
            {"id": "on", "name": t("recv.col.on", lang)},
            {"id": "what", "name": t("recv.col.what", lang)},
            {"id": "who", "name": t("recv.col.who", lang)},
            {"id": "amount", "name": t("recv.col.amount", lang), "numeric": True, "format": fmt.number},
            {"id": "source", "name": t("recv.col.source", lang)},
        ],
    )
    return html.Div([note, table])
