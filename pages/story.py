"""/area/<code>/story: the area's story in a few paragraphs, every number a link to the view it comes from."""

from __future__ import annotations

import dash
from dash import dcc, html

from auth.context import current_user
from components.i18n import area_name, t
from components.layout import not_found, topbar
from components.story import compose, plain
from components.view import parse
from data_access import areas as areas_da
from data_access import figures as figures_da
from data_access import story as story_da
from mpi.rules import dimensions_mask

dash.register_page(__name__, path_template="/area/<code>/story", title="TPMAP Open", order=0)


def layout(code: str = "TH", **query):
    view = parse(query, code)
    lang = view.lang
    chain = areas_da.ancestors(code)
    if not chain or chain[-1]["code"] != code:
        return not_found(t("notfound.area", lang, code=code), lang)
    here = f"/area/{code}/story"
    try:
        facts = story_da.facts(
            code, view.year, viewer=current_user(), mask=dimensions_mask(view.dims), definition=view.definition
        )
    except figures_da.NotFound:
        return html.Div([topbar(chain, view, here), html.P(t("nodata.area", lang, year=view.year), className="tp-nodata")])
    paras = compose(facts, lang, view.query(year=view.year))  # every number is of this edition: its links say so
    body = [
        html.P(
            [
                s
                if isinstance(s, str)
                else dcc.Link(s["text"], href=s["href"], className="tp-num", title=t("story.number_title", lang))
                for s in p
            ],
            className="tp-story",
        )
        for p in paras
    ]
    return html.Div(
        [
            topbar(chain, view, here),
            html.H2(t("story.title", lang, area=area_name(chain[-1], lang), year=view.year), className="h4 my-2"),
            html.P(t("story.explain", lang), className="tp-sub"),
            html.Div(body, id="story", className="tp-story-box"),
            html.Details(
                [html.Summary(t("story.copy", lang)), html.Pre(plain(paras), id="story-plain", className="tp-story-plain")],
                className="my-3",
            ),
        ],
        className="tp-present" if view.present else None,
    )
