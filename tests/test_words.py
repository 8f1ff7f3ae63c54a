"""Issue 13: every word a page shows comes from the one catalogue. A page rendered in English holds no Thai
but data (names of places and people), and one rendered in Thai no English words but a short list of
acronyms and proper names. A string written into a page instead of the catalogue is in one language only,
so one of the two renderings finds it."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from tests.utils.world import page_callback, session_client

YEAR = 2561
THAI = re.compile(r"[\u0e00-\u0e7f]")
LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
# Thai an English page keeps: the toggle names the other language in that language; the committees' and the
# survey's acronyms are their names
THAI_ALLOWED = ("ภาษาไทย", "ศจพ.", "จปฐ.")
# words a Thai page writes in Latin letters on purpose: acronyms, file formats, proper names, the language toggle
LATIN_ALLOWED = {"TPMAP", "Open", "English", "XLSX", "NECTEC", "OCHA", "GeoThai", "Space", "Logbook", "Plotly"}
# props whose strings a person reads (a table's rows and a chart's traces are data, checked elsewhere)
READ = {"children", "label", "placeholder", "title", "placeholder_text", "text", "aria-label", "ticktext"}
SKIP = {
    "data",
    "customdata",
    "locations",
    "z",
    "hovertemplate",
    "href",
    "id",
    "className",
    "style",
    "value",
    "options_data",
    "geojson",
    "lon",
    "lat",
    "r",
    "theta",
    "filter_query",
    "src",
    "action",
    "method",
    "type",
}

PAGES = [
    "/",
    "/area/75",
    "/area/7501",
    "/area/750101",
    "/area/75/households",
    "/area/7501/vulnerable",
    "/area/75/story",
    "/ranking",
    "/ranking?by=change",
    "/area/75?definition=nocard",
    "/area/75/households?definition=all",
    "/pivot",
    "/committees",
    "/committees/75",
    "/reports",
    "/logbook/requests",
    "/mentors/75",
    "/area/75?present=1",
]


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def _strings(node, out: list[str], key: str | None = None) -> None:
    """Every string a reader sees in a rendered layout (Dash's JSON), from the props that show text."""
    if isinstance(node, str):
        if key in READ and node.strip():
            out.append(node)
    elif isinstance(node, list):
        for item in node:
            _strings(item, out, key)
    elif isinstance(node, dict):
        for k, v in node.items():
            if k in SKIP:
                continue
            if k == "labels" and isinstance(v, dict):  # a dropdown's own words
                out.extend(x for x in v.values() if isinstance(x, str))
            elif k == "options" and isinstance(v, list):
                out.extend(o["label"] for o in v if isinstance(o, dict) and isinstance(o.get("label"), str))
            elif k == "columns" and isinstance(v, list):  # a table's headings
                out.extend(c["name"] for c in v if isinstance(c, dict) and isinstance(c.get("name"), str))
            elif k in (
                "props",
                "layout",
                "figure",
                "title",
                "filter_options",
                "polar",
                "angularaxis",
                "radialaxis",
                "legend",
                "colorbar",
            ):
                _strings(v, out, key)
            else:
                _strings(v, out, k)


def _names(world) -> set[str]:
    """Words that are data: the names of places and of the people in the test survey."""
    with world["engine"].connect() as conn:
        places = {n for row in conn.execute(text("SELECT name_th, name_en FROM area")) for n in row if n}
        people = {n for row in conn.execute(text("SELECT first_name, last_name FROM person")) for n in row if n}
        staff = {w for (n,) in conn.execute(text("SELECT full_name FROM user_account")) for w in (n or "").split()}
    return places | people | staff


def _rendered(world, lang: str) -> dict[str, list[str]]:
    client, csrf = session_client(world, "province")
    client.set_cookie("tpmap_lang", lang)
    out = {}
    for page in PAGES:
        path, _, search = page.partition("?")
        r = page_callback(client, path, "?" + search if search else "", csrf)
        assert r.status_code == 200, (page, r.status_code)
        found: list[str] = []
        _strings(json.loads(r.get_data(as_text=True)), found)
        out[page] = found
    return out


def test_an_english_page_shows_no_thai_but_names(world):
    names = _names(world)

    def bare(s: str) -> str:
        for allowed in THAI_ALLOWED:
            s = s.replace(allowed, "")
        return s

    thai = {
        page: sorted({s for s in found if THAI.search(bare(s)) and not any(n in s for n in names)})
        for page, found in _rendered(world, "en").items()
    }
    assert {p: s for p, s in thai.items() if s} == {}


def test_a_thai_page_shows_no_english_words_but_acronyms_and_names(world):
    names = _names(world)
    english = {}
    for page, found in _rendered(world, "th").items():
        words = {
            w
            for s in found
            for w in LATIN_WORD.findall(re.sub(r"\{[a-z_]+\}", "", s))
            if w not in LATIN_ALLOWED and not w.isupper() and not any(w in n for n in names if n)
        }
        if words:
            english[page] = sorted(words)
    assert english == {}
