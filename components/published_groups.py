"""TPMAP's published counts of an area's elderly, disabled and chronically ill persons (issue 34, 4), shown as such:
"ผู้สูงอายุ 1,723 คน (ตัวเลขเผยแพร่ 2561)". For an area whose figures are TPMAP's published ones, which carry no ages
and so cannot be split by life stage: what can be said of those groups there. From data_access.published
(published_groups); the counts are of every surveyed person of the group, poor or not, and the note says so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from dash import html

from components import fmt
from components.i18n import t
from data_access.published import GROUP_FIELDS, PublishedGroups


def published_group_lines(groups: PublishedGroups, lang: str) -> list[str]:
    """One sentence per group, in GROUP_FIELDS' order: "ผู้สูงอายุ N คน (ตัวเลขเผยแพร่ 2561)"."""
    counts = cast("Mapping[str, int]", groups)  # the groups by name
    return [t(f"pubgroup.{f}", lang, n=fmt.number(counts[f]), year=groups["year"]) for f in GROUP_FIELDS]


def published_groups_block(groups: PublishedGroups | None, lang: str, *, id: str = "published-groups") -> html.Div:
    """The published counts of groups as a short list with its title and note; an empty block where none were
    published for the area and edition (so a page can always place it)."""
    if groups is None:
        return html.Div(id=id)
    return html.Div(
        [
            html.H3(t("pubgroup.title", lang, year=groups["year"]), className="h6 mt-2"),
            html.Ul([html.Li(line) for line in published_group_lines(groups, lang)], className="mb-1"),
            html.P(t("pubgroup.note", lang), className="tp-sub small"),
        ],
        id=id,
    )
