"""/data: the agencies' registers the committee tracks (issue 33), Thai first. Everyone sees the list and where each
dataset stands (the source deck's statuses) with the date of its data; national accounts change a status and its note
here. No row of any register is shown: the country's coverage gaps are counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, NoUpdate, Output, State, callback, dcc, html

from auth.context import current_user
from components import fmt
from components.feedback import reason
from components.i18n import t
from components.layout import topbar
from components.view import parse, request_lang
from components.widgets import dropdown, plain_table
from data_access import areas as areas_da
from data_access import registers as registers_da
from data_access.errors import DomainError
from data_access.registers import CatalogueItem
from mpi import registers as register_kinds

dash.register_page(__name__, path="/data", title="TPMAP Open")

STATUS_COLOURS = {"linked": "success", "requested": "warning", "denied": "danger", "no_key": "secondary"}


def _pick(item: Mapping[str, object], lang: str, field: str) -> str:
    return str(item[field] if lang == "th" else item[f"{field}_en"])


def _status(status: str, lang: str) -> html.Span:
    return html.Span(t(f"data.status.{status}", lang), className=f"badge text-bg-{STATUS_COLOURS.get(status, 'light')}")


def _columns_of(key: str, lang: str) -> str:
    kind = register_kinds.kinds().get(key)
    return ", ".join(kind.column_names) if kind else t("data.not_declared", lang)


def _catalogue_table(items: list[CatalogueItem], lang: str) -> html.Div:
    rows = [
        {
            "name": _pick(i, lang, "name"),
            "owner": _pick(i, lang, "owner"),
            "status": _status(i["status"], lang),
            "status:sort": i["status"],
            "as_of": fmt.be_date(i["as_of"], lang) if i["as_of"] else None,
            "as_of:sort": i["as_of"] or "",
            "requested_on": fmt.be_date(i["requested_on"], lang) if i["requested_on"] else None,
            "columns": _columns_of(i["key"], lang),
            "note": i["note"],
        }
        for i in items
    ]
    cols = ("name", "owner", "status", "as_of", "requested_on", "columns", "note")
    return plain_table(lang, id="register-table", rows=rows, columns=[{"id": c, "name": t(f"data.col.{c}", lang)} for c in cols])


def _gaps(lang: str) -> html.Div | None:
    from data_access.figures import edition_for

    year = edition_for("TH")
    if year is None:
        return None
    found = registers_da.gaps("TH", year, viewer=current_user())
    if not found:
        return None
    rows = [
        {
            "register": register_kinds.kind(g["register"]).name(lang),
            "rule": t(f"data.gap.rule.{g['rule']}", lang),
            "eligible": g["eligible_persons"],
            "served": g["served_persons"],
            "unserved": g["unserved_persons"],
            "as_of": fmt.be_date(g["as_of"], lang),
        }
        for g in found
    ]
    columns: list[dict[str, Any]] = [
        {"id": "register", "name": t("data.col.name", lang)},
        {"id": "rule", "name": t("data.gap.rule", lang)},
        *(
            {"id": c, "name": t(f"data.gap.{c}", lang), "numeric": True, "format": fmt.number}
            for c in ("eligible", "served", "unserved")
        ),
        {"id": "as_of", "name": t("data.col.as_of", lang)},
    ]
    return html.Div(
        [
            html.H3(f"{t('data.gaps', lang)} · {year}", className="h5 mt-4"),
            plain_table(lang, id="gap-table", rows=rows, columns=columns),
        ]
    )


def _editor(items: list[CatalogueItem], lang: str) -> html.Div | None:
    """National accounts keep the catalogue: a dataset, its status and note."""
    if not registers_da.may_manage(current_user()):
        return None
    return html.Div(
        [
            html.H3(t("data.edit", lang), className="h5 mt-4"),
            dropdown(
                lang,
                id="data-key",
                options=[{"label": _pick(i, lang, "name"), "value": i["key"]} for i in items],
                clearable=False,
                value=items[0]["key"] if items else None,
            ),
            dropdown(
                lang,
                id="data-status",
                options=[{"label": t(f"data.status.{s}", lang), "value": s} for s in register_kinds.STATUSES],
                clearable=False,
                value=items[0]["status"] if items else None,
                className="mt-2",
            ),
            dcc.Textarea(id="data-note", className="form-control mt-2", rows=2, value=(items[0]["note"] or "") if items else ""),
            dbc.Button(t("data.save", lang), id="data-save", color="primary", className="mt-2"),
            html.Div(id="data-msg", className="mt-2"),
        ],
        className="tp-form",
    )


def layout(**query: str) -> html.Div:
    view = parse(query)
    lang = view.lang
    items = registers_da.catalogue()
    linked = sum(1 for i in items if i["status"] == "linked")
    return html.Div(
        [
            topbar(areas_da.ancestors("TH"), view, "/data"),
            html.H2(t("data.title", lang), className="h4 my-2"),
            html.P(t("data.lead", lang)),
            html.P(t("data.count", lang, linked=linked, total=len(items)), id="data-count", className="fw-bold"),
            html.Div(_catalogue_table(items, lang), id="data-catalogue"),
            html.P(t("data.public_note", lang), className="tp-when"),
            _gaps(lang),
            _editor(items, lang),
        ]
    )


@callback(
    Output("data-status", "value"),
    Output("data-note", "value"),
    Input("data-key", "value"),
    prevent_initial_call=True,
)
def load(key: str | None) -> tuple[str | NoUpdate, str | NoUpdate]:
    item = next((i for i in registers_da.catalogue() if i["key"] == key), None)
    if item is None:
        return dash.no_update, dash.no_update
    return item["status"], item["note"] or ""


@callback(
    Output("data-msg", "children"),
    Output("data-catalogue", "children"),
    Output("data-count", "children"),
    Input("data-save", "n_clicks"),
    State("data-key", "value"),
    State("data-status", "value"),
    State("data-note", "value"),
    prevent_initial_call=True,
)
def save(_clicks: int | None, key: str, status: str, note: str | None) -> tuple[dbc.Alert, html.Div | NoUpdate, str | NoUpdate]:
    lang = request_lang()
    try:
        registers_da.set_status(current_user(), key, status=status, note=note)
    except DomainError as e:
        return dbc.Alert(reason(e, lang), color="danger", className="mb-0"), dash.no_update, dash.no_update
    items = registers_da.catalogue()
    name = next((_pick(i, lang, "name") for i in items if i["key"] == key), key)
    linked = sum(1 for i in items if i["status"] == "linked")
    return (
        dbc.Alert(t("data.saved", lang, name=name), color="success", className="mb-0"),
        _catalogue_table(items, lang),
        t("data.count", lang, linked=linked, total=len(items)),
    )
