"""/area/<code>/story: the area's story in a few paragraphs, every number a link to the view it comes from."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from auth.context import current_user
from components.i18n import area_name, t
from components.layout import not_found, topbar
from components.story import compose, plain
from components.view import View, parse
from data_access import ages as ages_da
from data_access import areas as areas_da
from data_access import figures as figures_da
from data_access import story as story_da
from mpi.lifestages import STAGE_KEYS
from mpi.rules import dimensions_mask

dash.register_page(__name__, path_template="/area/<code>/story", title="TPMAP Open", order=0)


def layout(code: str = "TH", **query: Any) -> html.Div:
    view = parse(query, code)
    lang = view.lang
    chain = [dict(a) for a in areas_da.ancestors(code)]
    if not chain or chain[-1]["code"] != code:
        return not_found(t("notfound.area", lang, code=code), lang)
    here = f"/area/{code}/story"
    stage = [_stage_choice(view, here), _stage_note(view)]
    try:
        facts = story_da.facts(
            code,
            view.year,
            viewer=current_user(),
            mask=dimensions_mask(view.dims),
            definition=view.definition,
            stage=view.age,
        )
    except figures_da.NotFound:
        return html.Div([topbar(chain, view, here), html.P(t("nodata.area", lang, year=view.year), className="tp-nodata")])
    except ages_da.CannotSplit:  # published figures only: said, never the all-ages story under the stage's name
        return html.Div(
            [
                topbar(chain, view, here),
                *stage,
                html.P(t("stage.no_split", lang, year=view.year), className="tp-nodata", id="no-stage-split"),
            ]
        )
    paras = compose(dict(facts), lang, view.query(year=view.year))  # every number is of this edition: its links say so
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
            html.H2(_title(chain[-1], view), className="h4 my-2", id="story-title"),
            html.P(t("story.explain", lang), className="tp-sub"),
            *stage,
            html.Div(body, id="story", className="tp-story-box"),
            html.Details(
                [html.Summary(t("story.copy", lang)), html.Pre(plain(paras), id="story-plain", className="tp-story-plain")],
                className="my-3",
            ),
        ],
        className="tp-present" if view.present else None,
    )


def _title(area: dict, view: View) -> str:
    name = area_name(area, view.lang)
    if view.age:
        return t("story.stage_title", view.lang, area=name, year=view.year, stage=t(f"stage.{view.age}", view.lang))
    return t("story.title", view.lang, area=name, year=view.year)


def _stage_choice(view: View, here: str) -> html.Div:
    """The life-stage choice (issue 34) as links that keep the rest of the view: the story of that stage's persons."""
    lang = view.lang
    choices: list[tuple[str, str | None]] = [("all", None), *((k, k) for k in STAGE_KEYS)]
    return html.Div(
        [html.Span(t("stage.control", lang) + ":", className="me-1")]
        + [
            dcc.Link(
                t("stage.all", lang) if age is None else t(f"stage.{age}", lang),
                href=here + view.query(year=view.year, age=age),
                id=f"story-age-{key}",
                className="btn btn-sm me-1 " + ("btn-secondary" if age == view.age else "btn-outline-secondary"),
            )
            for key, age in choices
        ],
        className="my-2 d-flex flex-wrap gap-1 align-items-center tp-chrome",
        id="story-ages",
    )


def _stage_note(view: View) -> html.P | None:
    if view.age is None:
        return None
    return html.P(
        t("stage.note", view.lang, stage=t(f"stage.{view.age}", view.lang)), className="tp-definition-note", id="stage-note"
    )
