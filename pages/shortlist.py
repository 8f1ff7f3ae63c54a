"""/shortlists/<token>: a saved shortlist of priority areas or households, as shared by its link."""

from __future__ import annotations

from typing import cast

import dash
from dash import html

from auth.context import current_user
from components import fmt
from components.i18n import area_name, t
from components.layout import not_found, topbar
from components.view import parse
from components.widgets import data_table
from data_access import areas as areas_da
from data_access import shortlists

dash.register_page(__name__, path_template="/shortlists/<token>", title="TPMAP Open")


def layout(token: str = "", **query: str) -> html.Div:
    view = parse(query)
    lang = view.lang
    s = shortlists.get(token, user=current_user())  # household rows are scoped to the viewer in data_access
    if s is None:
        return not_found(t("notfound.shortlist", lang, code=token), lang)
    if s["kind"] == "areas":
        areas_listed = cast(list[shortlists.ListedArea], s["items"])  # (the kind says which)
        data = [
            {
                "#": i["position"],
                "name": f"[{area_name(i, lang) if 'name_th' in i else i['code']}](/area/{i['code']})",
                "code": i["code"],
                "target_poor": i.get("target_poor_persons"),
                "ge3": i.get("crisis_ge3"),
                "basic": i.get("crisis_basic_needs"),
            }
            for i in areas_listed
        ]
        columns = [
            {"name": "#", "id": "#"},
            {"name": t("table.area", lang), "id": "name", "presentation": "markdown"},
            {"name": t("table.code", lang), "id": "code"},
            {"name": t("table.target_poor", lang), "id": "target_poor"},
            {"name": t("rank.ge3", lang), "id": "ge3"},
            {"name": t("rank.basic_needs", lang), "id": "basic"},
        ]
    else:
        households_listed = cast(list[shortlists.ListedHousehold], s["items"])
        data = [
            {
                "#": i["position"],
                "house": f"[{i['house_id']}](/household/{i['house_id']})",
                "tambon": i["tambon_code"],
                "members": i["members"],
                "target": i["target_poor_members"],
            }
            for i in households_listed
        ]
        columns = [
            {"name": "#", "id": "#"},
            {"name": t("hh.house", lang), "id": "house", "presentation": "markdown"},
            {"name": t("level.tambon", lang), "id": "tambon"},
            {"name": t("hh.members", lang), "id": "members"},
            {"name": t("hh.target_members", lang), "id": "target"},
        ]
    return html.Div(
        [
            topbar(areas_da.ancestors("TH"), view, f"/shortlists/{token}"),
            html.H2(s["name"], className="h4 my-2", id="shortlist-name-title"),
            html.P(
                f"{s['created_by']} · {fmt.be_date(s['created_at'], lang)} · {len(s['items'])}"
                + (f" · {t('short.hidden', lang, n=s['hidden'])}" if s["hidden"] else ""),
                className="tp-sub",
            ),
            html.A(
                "CSV",
                href=f"/api/v1/shortlists/{token}?format=csv",
                className="btn btn-outline-secondary tp-btn-big mb-2",
                id="shortlist-csv",
            ),
            html.A(
                "XLSX",
                href=f"/export/shortlist.xlsx?token={token}&lang={lang}",
                className="btn btn-outline-secondary tp-btn-big mb-2 ms-1",
                id="shortlist-xlsx",
            ),
            data_table(
                lang,
                id="shortlist-table",
                data=data,
                columns=columns,
                markdown_options={"link_target": "_self"},
                style_cell={"padding": "4px 8px", "textAlign": "left"},
            ),
        ]
    )
