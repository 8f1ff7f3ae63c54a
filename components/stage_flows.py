"""Flows by life stage (issue 34, 6): a compact table of who of each stage stayed poor, got out, came in or left the
survey between two editions, from data_access.flows.flows_by_stage (one Flows per stage), in the reader's language.

A stage counts persons (households have members of several stages). The stage is the age on the earlier edition's
survey date for those who stayed, got out or left, and on the later edition's for those who came in (the note under
the table says so), so each column's stages add up to the all-ages figure in the last row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from dash import html

from components import fmt
from components.i18n import defined, t
from components.widgets import plain_table
from data_access.flows import PERSON_FIELDS, Flows

# (column id, catalogue key of its header): the flow fields of data_access.flows, persons only
COLUMNS: tuple[tuple[str, str], ...] = (
    ("stayed_persons", "stageflow.stayed"),
    ("exited_persons", "stageflow.exited"),
    ("entered_persons", "stageflow.entered"),
    ("left_survey_persons", "stageflow.left"),
)
assert {c for c, _ in COLUMNS} == set(PERSON_FIELDS)


def stage_flow_rows(items: Sequence[Flows], lang: str) -> list[dict[str, object]]:
    """One row per stage (its name and its four person flows), then the all-ages row summed from them."""
    counts: list[Mapping[str, int]] = [cast("Mapping[str, int]", item) for item in items]  # the flows by name
    rows: list[dict[str, object]] = [
        {"stage": t(f"stage.{item['age'] or 'all'}", lang)} | {c: n[c] for c, _ in COLUMNS}
        for item, n in zip(items, counts, strict=True)
    ]
    total: dict[str, object] = {"stage": t("stage.all", lang)} | {c: sum(n[c] for n in counts) for c, _ in COLUMNS}
    return [*rows, total]


def stage_flows_table(items: Sequence[Flows], lang: str, *, id: str = "stage-flows-table") -> html.Div:
    """The flows of each life stage between the editions of `items` (flows_by_stage's answer, all of one pair,
    definition and dimension): a title naming who is counted, the table, and the note on which date ages count."""
    if not items:
        return html.Div(id=id)
    first = items[0]
    named = cast("Mapping[str, object]", first)  # "from" and "to" are keys outside the TypedDict's (Python keywords)
    a, b, definition = named["from"], named["to"], first["definition"]
    title = t(defined("flow.title", definition), lang, a=a, b=b) + t("stageflow.by_stage", lang)
    columns: list[dict[str, object]] = [{"name": t("stageflow.stage", lang), "id": "stage"}]
    columns += [{"name": t(key, lang), "id": c, "numeric": True, "format": fmt.number} for c, key in COLUMNS]
    return html.Div(
        [
            html.H3(title, className="h6 mt-2"),
            plain_table(lang, id=id, sortable=False, rows=stage_flow_rows(items, lang), columns=columns),
            html.P(t("stageflow.note", lang, a=a, b=b), className="tp-sub small"),
        ],
        id=f"{id}-part",
    )
