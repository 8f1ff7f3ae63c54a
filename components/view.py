"""The view state that lives in the URL: parsed once, turned back into links that keep it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlencode

import flask

from components.i18n import DEFAULT_LANG, LANGS
from mpi.lifestages import STAGE_KEYS
from mpi.registers import kinds as register_kinds
from mpi.rules import DIMENSIONS, TARGET_DEFINITIONS

DEFAULT_YEAR = 2561
YEAR_MIN, YEAR_MAX = 2500, 2700
# every metric the map can colour by; anything else in a link falls back to the default (never an empty box)
METRIC_RE = re.compile(
    r"target_poor|crisis|mpi|change|change_pct|dim:("
    + "|".join(DIMENSIONS)
    + r")|ind:[1-5]\.[0-9]|lb:(visited|helped|open_needs)|gap:("
    + "|".join(register_kinds())
    + ")"
)
LANG_COOKIE = "tpmap_lang"


def request_lang() -> str:
    """The reader's language inside a callback, which has no URL of its own: the cookie the toggle set."""
    lang = flask.request.cookies.get(LANG_COOKIE) if flask.has_request_context() else None
    return lang if lang in LANGS else DEFAULT_LANG


def query_lang(query: dict) -> str:
    """The language a page is asked in: its `lang` parameter, else the toggle's cookie, else Thai. The page's
    `<html lang>` is set by the same rule (app.register_document_language, and in the browser after an in-app move)."""
    lang = query.get("lang")
    if lang not in LANGS:
        lang = flask.request.cookies.get(LANG_COOKIE) if flask.has_request_context() else None
    return lang if lang in LANGS else DEFAULT_LANG


def default_year(area: str | None = None) -> int:
    """A link without a year means the latest edition with figures for its area (data_access.figures.edition_for,
    the one rule), or the latest the database holds where no area is named (DEFAULT_YEAR only on an empty one)."""
    from data_access.figures import edition_for

    return edition_for(area) or DEFAULT_YEAR


@dataclass(frozen=True)
class View:
    year: int = DEFAULT_YEAR
    metric: str = "target_poor"  # target_poor | crisis | mpi | dim:<d> | ind:<code>
    colour: str = "share"  # share | count
    dims: tuple[str, ...] = DIMENSIONS
    present: bool = False
    lang: str = DEFAULT_LANG
    # who counts as target poor (mpi.rules): registered | all | nocard; None = the edition's own definition
    definition: str | None = None
    # the country's map drawn by "province" (default) or by "tambon": all 7,425 tambons at once (`level=tambon`)
    maplevel: str = "province"
    # a life stage (mpi.lifestages, issue 34): the page's figures count that stage's persons only; None = every age
    age: str | None = None
    # the reader chose the year (it was in the link, or picked on the page); otherwise it is the latest edition of
    # the area shown, and links leave it out, so the next area shown gets its own latest, not this one's
    asked: bool = True

    def query(self, **changes: Any) -> str:  # (View's fields)
        v = replace(self, **changes)
        q: dict = {"year": v.year} if v.asked or "year" in changes else {}
        q |= {"metric": v.metric, "colour": v.colour}
        if tuple(v.dims) != DIMENSIONS:
            q["dims"] = ",".join(v.dims)
        if v.definition:
            q["definition"] = v.definition
        if v.maplevel != "province":
            q["level"] = v.maplevel
        if v.age:
            q["age"] = v.age
        if v.present:
            q["present"] = 1
        if v.lang != DEFAULT_LANG:
            q["lang"] = v.lang
        return "?" + urlencode(q)

    def as_dict(self) -> dict:
        return asdict(self)

    def at(self, area: str | None) -> View:
        """The view of one area: the year asked for, else that area's latest edition (the rule for every page)."""
        return self if self.asked else replace(self, year=default_year(area))


def parse(query: dict, area: str | None = None) -> View:
    """Lenient: a malformed parameter falls back to its default rather than breaking a shared link. Without a
    year, the year is `area`'s latest edition (View.at): pass the area the page shows."""
    v = View()
    raw_year = str(query.get("year", ""))
    # a shared link with a damaged year falls back; one the database cannot even hold never reaches it
    valid = raw_year.isdigit() and len(raw_year) == 4 and YEAR_MIN <= int(raw_year) <= YEAR_MAX
    year = int(raw_year) if valid else default_year(area)
    metric = query.get("metric", v.metric)
    if not isinstance(metric, str) or not METRIC_RE.fullmatch(metric):
        metric = v.metric
    colour = query.get("colour", v.colour) if query.get("colour") in ("share", "count") else v.colour
    dims = tuple(d for d in DIMENSIONS if d in str(query.get("dims", ",".join(DIMENSIONS))).split(",")) or DIMENSIONS
    lang = query_lang(query)
    return View(
        year=year,
        metric=metric if isinstance(metric, str) else v.metric,
        colour=colour,
        dims=dims,
        present=str(query.get("present", "")) in ("1", "true"),
        lang=lang,
        definition=query.get("definition") if query.get("definition") in TARGET_DEFINITIONS else None,
        maplevel="tambon" if query.get("level") == "tambon" else "province",
        age=query.get("age") if query.get("age") in STAGE_KEYS else None,
        asked=valid,
    )
