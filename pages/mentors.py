"""/logbook/mentors: mentor teams of an area, their households and the load on official mentors."""

from __future__ import annotations

import dash
from dash import dcc, html

from auth.context import current_user
from components.i18n import t
from components.layout import export_links, topbar
from components.view import parse
from data_access import areas as areas_da
from data_access import logbook as logbook_da

dash.register_page(__name__, path="/logbook/mentors", title="TPMAP Open")


def layout(area: str | None = None, **query: str) -> html.Div:
    view = parse(query)
    lang = view.lang
    user = current_user()
    if user is None:
        return html.Div([dcc.Link(t("auth.sign_in", lang), href="/login?next=/logbook/mentors", refresh=True)])
    area = area or user.areas[0]
    teams = logbook_da.workload(user, area)  # scoped in data_access: outside the user's area → 403
    rows = []
    for team in teams:
        mentors = [
            html.Li(
                [
                    f"{m['name']} · {m['kind']}" + (f" · {t('dim.' + m['dimension'], lang)}" if m["dimension"] else ""),
                    html.Span(
                        " ⚠ " + (t("lb.handed_back", lang) if m["handed_back_at"] else t("lb.overloaded", lang)),
                        className="text-danger",
                    )
                    if m["overloaded"] or m["handed_back_at"]
                    else None,
                ]
            )
            for m in team["mentors"]
        ]
        rows.append(
            html.Li(
                [
                    html.Div(f"{team['name']} ({team['area_code']})", className="fw-bold"),
                    html.Div(
                        t("lb.mentor_households", lang, n=team["households"], cap=team["capacity"]),
                        className="text-danger" if team["full"] else "tp-when",
                    ),
                    html.Ul(mentors),
                ],
                className="tp-form",
            )
        )
    return html.Div(
        [
            topbar(areas_da.ancestors(area) or areas_da.ancestors("TH"), view, "/logbook/mentors"),
            html.H2(t("lb.mentors", lang), className="h4 my-2"),
            export_links("mentors", lang, area=area),
            html.Ul(rows, className="list-unstyled", id="mentor-teams")
            if rows
            else html.P(t("lb.empty", lang), className="tp-nodata"),
        ]
    )
