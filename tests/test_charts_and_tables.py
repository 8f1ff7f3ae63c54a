"""Issue 31, sections 4 and 5: charts, tables and files that say each thing once and in one way. The pure parts,
without a database: the trend's axes, the area table's columns, the cards, the ranking's headers, counts in tables,
and the quarterly report's PDF (every glyph it writes is in its font) and workbook (numbers as numbers)."""

from __future__ import annotations

import io
import json
import re

import pytest
from fontTools.ttLib import TTFont
from openpyxl import load_workbook

from components.figures import trend_chart
from components.i18n import CATALOGUE

TH_TREND = [  # the country's published headlines (tpmap_national_totals.csv)
    {"year": 2561, "target_poor_persons": 1_032_987, "source": "published"},
    {"year": 2562, "target_poor_persons": 983_316, "source": "published"},
    {"year": 2565, "target_poor_persons": 1_025_782, "source": "published"},
    {"year": 2566, "target_poor_persons": 655_365, "source": "published"},
]


def _ticks(axis: dict) -> list[float]:
    n = round(axis["range"][1] / axis["dtick"])
    return [axis["tick0"] + i * axis["dtick"] for i in range(n + 1)]


def _round(step: float) -> bool:
    """1, 2, 2.5 or 5 times a power of ten (200,000 / 250,000; never 224,571)."""
    return f"{int(step):d}".rstrip("0") in ("1", "2", "25", "5")


def test_the_trend_ticks_at_round_numbers_on_both_axes_and_their_grids_meet():
    area = [
        {"year": 2561, "target_poor_persons": 903, "source": "survey"},
        {"year": 2562, "target_poor_persons": 956, "source": "survey"},
    ]
    fig = trend_chart([("สมุทรสงคราม", area), ("ประเทศไทย", TH_TREND)], "th", "title")
    left, right = fig["layout"]["yaxis"], fig["layout"]["yaxis2"]
    for axis, top in ((left, 956), (right, 1_032_987)):
        assert _round(axis["dtick"]) and axis["tick0"] == 0 and axis["tickmode"] == "linear", axis
        assert axis["range"][0] == 0 and axis["range"][1] >= top  # every point inside
        assert float(axis["dtick"]).is_integer()  # persons: no tick at 2.5 persons
    assert len(_ticks(left)) == len(_ticks(right))  # one grid for both


@pytest.mark.parametrize(
    "first",
    [
        [
            {"year": 2561, "target_poor_persons": 12, "source": "survey"},
            {"year": 2565, "target_poor_persons": 9, "source": "published"},
        ],
        [{"year": 2562, "target_poor_persons": 3, "source": "survey"}],
    ],
)
def test_editions_are_evenly_spaced_categories_in_year_order_whichever_line_names_them(first):
    fig = trend_chart([("a", first), ("b", TH_TREND)], "en", "t")
    x = fig["layout"]["xaxis"]
    assert x["type"] == "category" and x["categoryorder"] == "array"
    assert x["categoryarray"] == ["2561", "2562", "2565", "2566"]  # 2562 → 2565 is one step, as 2561 → 2562


def test_a_percent_is_written_one_way():
    """fmt.percent writes the sign (0.69%): no label puts "ร้อยละ" before a value it fills in ("ร้อยละ 0.69%")."""
    doubled = [k for k, (th, _) in CATALOGUE.items() if re.search(r"ร้อยละ\s*\{", th)]
    assert doubled == []


def _view(**kw):
    from components.view import View

    return View(year=2562, **kw)


@pytest.mark.parametrize(
    "metric,colour,shown",
    [("target_poor", "share", False), ("target_poor", "count", False), ("crisis", "count", False), ("crisis", "share", True)]
    + [("mpi", "share", False), ("dim:income", "share", True)],
)
def test_the_area_table_writes_each_value_in_one_column(metric, colour, shown):
    """The share of target poor was a column twice ("ร้อยละ" and "คนจนเป้าหมาย (ร้อยละ)")."""
    from pages._area_shared import _figure_columns, metric_column

    view = _view(metric=metric, colour=colour)
    columns = [*_figure_columns(view), *metric_column(view)]
    assert ("value" in [c["id"] for c in columns]) == shown


def _child(code: str, level: str, name: str, **kw) -> dict:
    figures = dict(surveyed_persons=100, target_poor_persons=5, headcount_ratio=0.05, crisis_persons=1, mpi=0.01)
    return {"code": code, "level": level, "name_th": name, "name_en": name, "parent_code": "7501", "year": 2562} | (
        {k: None for k in figures} | kw if kw.get("counted_under") else figures | kw
    )


def test_a_municipal_unit_is_one_row_of_the_area_table_and_names_the_tambons_it_counts():
    """/area/7501 wrote the unit 750151 twice: in its row and in แม่กลอง's, which has no figures of its own."""
    from pages._area_shared import _table

    children = [
        _child("750101", "tambon", "แม่กลอง", counted_under="750151"),
        _child("750102", "tambon", "บางขันแตก"),
        _child("750151", "municipality", "เขตเทศบาล 1 (750151)"),
    ]
    table = _table(children, _view())
    spec = json.dumps(table.to_plotly_json(), ensure_ascii=False, default=lambda o: o.to_plotly_json())
    assert spec.count('"/area/750151') == 1 and spec.count('"/area/750101') == 1  # each area linked once


def _walk(c):
    yield c
    kids = getattr(c, "children", None)
    for k in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if hasattr(k, "to_plotly_json"):
            yield from _walk(k)
        elif isinstance(k, str):
            yield k


def _text(component) -> str:
    return " ".join(x for x in _walk(component) if isinstance(x, str))


def test_the_cards_say_the_change_since_the_edition_before_and_that_crisis_counts_persons():
    from components.layout import headline_cards

    f = {
        "surveyed_persons": 67_252,
        "surveyed_households": 23_678,
        "target_poor_persons": 672,
        "target_poor_households": 491,
        "crisis_persons": 6,
        "mpi": 0.0022,
        "intensity": 0.224,
        "headcount_ratio": 0.0069,
        "definition": "registered",
        "before": {"year": 2561, "target_poor_persons": 715, "target_poor_households": 491, "crisis_persons": 4},
    }
    th = _text(headline_cards(f, "th"))
    assert "ร้อยละ 0.69%" not in th and "0.69% ของผู้ถูกสำรวจ" in th
    assert "\u221243 (\u22126.0%) จากปี\u00a02561" in th  # 672 - 715
    assert "±0 (±0.0%) จากปี\u00a02561" in th and "+2 (+50.0%) จากปี\u00a02561" in th
    assert "จำนวนคน" in th  # the crisis card says what it counts
    en = _text(headline_cards(f | {"before": None}, "en"))
    assert "since" not in en and "persons, not households" in en  # no edition before: no change written


def test_the_ranking_names_its_rule_once_and_writes_its_share_one_way():
    from components import ranking_table

    for by, rule in (("ge3", "rank.ge3"), ("basic_needs", "rank.basic_needs")):
        columns = ranking_table.crisis_columns(by, "th")
        headers = [c.header for c in columns]
        assert sum(CATALOGUE[rule][0] in h for h in headers) == 1, headers
        share = next(c for c in columns if c.id == "share")
        assert "%" not in share.header  # "ร้อยละ … (%)" said it twice
        assert headers.index(share.header) == headers.index(CATALOGUE[rule][0]) + 1  # beside its rule's count


def test_a_column_of_counts_in_a_data_table_has_thousands_separators():
    from components.widgets import data_table

    table = data_table(
        "th",
        id="x",
        data=[{"n": 52248, "name": "a", "v": 1.5}, {"n": 7, "name": "b", "v": 2.0}],
        columns=[{"name": "n", "id": "n"}, {"name": "name", "id": "name"}, {"name": "v", "id": "v"}],
    )
    cols = {c["id"]: c for c in table.columns}
    assert cols["n"]["format"] == {"specifier": ","} and cols["n"]["type"] == "numeric"
    assert "format" not in cols["name"] and "format" not in cols["v"]


def _report(status: str) -> dict:
    return {
        "province_code": "75",
        "fiscal_year": 2564,
        "quarter": 3,
        "status": status,
        "submitted_at": "2021-07-02T10:00:00" if status == "submitted" else None,
        "submitted_by": "ss.governor" if status == "submitted" else None,
        "progress": "เยี่ยมบ้านครบทุกตำบล 😀",  # a unit's own text may hold a character no font here has
        "obstacles": '=HYPERLINK("x")',
        "suggestions": "",
        "figures": {
            "name_th": "สมุทรสงคราม",
            "name_en": "Samut Songkhram",
            "start": "2021-04-01",
            "end": "2021-06-30",
            "survey_year": 2562,
            "target_poor_persons": 893,
            "target_poor_households": 640,
            "crisis_ge3": 6,
            "crisis_basic_needs": 2,
            "visits": 2,
            "households_visited": 2,
            "assistance": 1,
            "households_helped": 1,
            "assistance_baht": 1500,
            "persons_added": 0,
            "dimension_target_poor": {"health": 100, "living": 50, "education": 300, "income": 200, "access": 10},
            "open_needs": {"health": 1},
            "amphoes": [],
            "computed_at": "2021-07-01T00:00:00",
            "change": {"year_from": 2561, "year_to": 2562, "change": -43, "change_pct": -4.8},
            "flows": {"stayed_persons": 610, "exited_persons": 283, "entered_persons": 343, "left_survey_persons": 10},
        },
    }


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_glyph_the_report_pdf_writes_is_in_its_font(lang, monkeypatch):
    """The PDF dropped "→" (Sarabun has no arrow): every string written, read through the one place fpdf2 normalises
    text, checked character by character against the cmap of the font it is written in (fontTools)."""
    from exports import report_pdf

    cmaps: dict[str, set[int]] = {}
    written: list[tuple[str, str]] = []
    normalise = report_pdf._Report.normalize_text

    def record(self, text):
        out = normalise(self, text)
        path = str(self.current_font.ttffile)
        if path not in cmaps:
            cmaps[path] = set(TTFont(path).getBestCmap())
        written.append((path, out))
        return out

    monkeypatch.setattr(report_pdf._Report, "normalize_text", record)
    report_pdf.render(_report("draft"), lang=lang)
    assert any("2561" in s and "2562" in s for _, s in written)  # the change line was written
    missing = {(c, s) for path, s in written for c in s if c not in "\n\r\t" and ord(c) not in cmaps[path]}
    assert missing == set()


def test_the_report_workbook_writes_numbers_as_numbers_and_the_same_status_as_the_pdf_and_the_page():
    from pypdf import PdfReader

    from components.labels import report_state
    from exports import report_pdf, report_xlsx

    for status in ("none", "draft", "submitted"):
        rep = _report(status)
        wb = load_workbook(io.BytesIO(report_xlsx.render(rep, "th")))
        values = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
        change = {k: v for k, v in values.items() if k and "2561 → 2562" in k}
        assert sorted(change.values()) == [-43, -4.8]  # numbers in cells of their own, no "'-43 (-4.8%)"
        assert not any(isinstance(v, str) and v.startswith("'-") for v in values.values())
        state = report_state(rep, "th")
        assert values["สถานะรายงาน"] == state
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf.render(rep, lang="th"))).pages)
        assert state.split(" ")[0] in text  # ยังไม่เริ่ม / ร่าง / ส่งแล้ว, the same word in both
