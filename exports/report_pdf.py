"""The quarterly report as a PDF: Sarabun embedded and shaped by HarfBuzz, so Thai vowels and tone marks stack
correctly and the text can be searched and copied; the map and the star are drawn as vectors (no browser)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fpdf import FPDF

from components.fmt import number, percent
from components.i18n import t
from components.labels import change_rows, report_state
from mpi.calendar import english_date, thai_date
from mpi.rules import DIMENSIONS

# fontTools logs every glyph it keeps when fpdf2 subsets the font: noise in the application log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
RDPU = ((253, 224, 221), (250, 159, 181), (247, 104, 161), (197, 27, 138), (73, 0, 106))
GREY = (189, 189, 189)
INK = (33, 37, 41)


class _NoText(tuple):
    """A ToUnicode entry that maps a glyph to no text at all (fpdf2 skips glyphs whose mapping is empty)."""

    def __len__(self) -> int:
        return 1


def _map_sara_am(pdf: FPDF) -> None:
    """HarfBuzz splits SARA AM (ำ) into NIKHAHIT + SARA AA so tone marks can sit between them; fpdf2 then gives the
    whole character to the nikhahit and nothing to the sara aa, which text extractors show as a stray control
    character ("ตำ\x03บล"). Give the character to the sara aa (the end of the cluster) and none to the nikhahit, so
    copying, searching and extracting read "ตำบล" (checked with pypdf and poppler's pdftotext)."""
    for font in pdf.fonts.values():
        subset = getattr(font, "subset", None)
        if subset is None:
            continue
        for glyph, _code in subset.items():
            if glyph is None or not isinstance(glyph.unicode, tuple):
                continue
            if glyph.glyph_name.startswith("uni0E32") and glyph.unicode == ():
                glyph.unicode = (0x0E33,)
            elif glyph.glyph_name.startswith("uni0E4D") and 0x0E33 in glyph.unicode:
                rest = tuple(c for c in glyph.unicode if c != 0x0E33)
                glyph.unicode = rest or _NoText()


# Characters the report's words use that Sarabun has no glyph for, and what is written instead (fpdf2 writes a glyph
# the font lacks as nothing: "คนจนเป้าหมาย ปี 2561 → 2562" printed "ปี 2561  2562"). Any other missing character (a
# unit's own text may hold anything) is written as "?", never dropped without a trace.
STAND_INS = {"\u2192": "\u2013", "\u2265": ">=", "\u2264": "<=", "\u2190": "\u2013"}


def in_font(text: str, cmap: dict[int, str]) -> str:
    """The text with every character the font has no glyph for replaced by its stand-in."""
    if all(ord(c) in cmap or c in "\n\r\t" for c in text):
        return text
    out = []
    for c in text:
        if ord(c) in cmap or c in "\n\r\t":
            out.append(c)
        else:
            sub = STAND_INS.get(c, "?")
            out.append(sub if all(ord(x) in cmap for x in sub) else "?")
    return "".join(out)


class _Report(FPDF):
    footer_text = ""

    def normalize_text(self, text: str) -> str:
        """Every string fpdf2 writes passes here (cells, tables, multi-line cells): only glyphs the font has."""
        cmap = getattr(self.current_font, "cmap", None)
        return super().normalize_text(in_font(text, cmap) if cmap else text)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Sarabun", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, f"{self.footer_text}   {self.page_no()}/{{nb}}", align="C")


def _date(iso: str | None, lang: str) -> str:
    if not iso:
        return "–"
    d = dt.date.fromisoformat(iso[:10])
    return english_date(d) if lang == "en" else thai_date(d)


def _name(f: dict, lang: str) -> str:
    return (f.get("name_en") if lang == "en" else f.get("name_th")) or f.get("name_th") or f["province_code"]


def _shade(value: float, top: float) -> tuple[int, int, int]:
    if top <= 0:
        return RDPU[0]
    return RDPU[min(len(RDPU) - 1, int(value / top * len(RDPU)))]


def _draw_map(
    pdf: FPDF, x: float, y: float, w: float, h: float, geojson: dict | None, values: dict[str, float], lang: str
) -> None:
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.2)
    feats = (geojson or {}).get("features", [])
    rings = []
    for ft in feats:
        g = ft["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polys:
            rings.append((ft["properties"]["code"], poly[0]))
    if not rings:
        pdf.set_xy(x, y + h / 2)
        pdf.cell(w, 6, t("rep.no_map", lang), align="C")
        return
    lons = [p[0] for _, r in rings for p in r]
    lats = [p[1] for _, r in rings for p in r]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))  # equirectangular, true to scale at mid-latitude
    sx = (max(lons) - min(lons)) * k or 1e-9
    sy = (max(lats) - min(lats)) or 1e-9
    scale = min(w / sx, (h - 10) / sy)
    ox = x + (w - sx * scale) / 2
    top = max(values.values(), default=0)
    for code, ring in rings:
        v = values.get(code)
        pdf.set_fill_color(*(GREY if v is None else _shade(v, top)))
        pts = [(ox + (lon - min(lons)) * k * scale, y + (max(lats) - lat) * scale) for lon, lat in ring]
        pdf.polygon(pts, style="DF")
    # legend: five equal steps from 0 to the largest value
    ly = y + h - 6
    step = w / (len(RDPU) + 1)
    pdf.set_font("Sarabun", "", 7)
    pdf.set_text_color(*INK)
    for i, c in enumerate(RDPU):
        pdf.set_fill_color(*c)
        pdf.rect(x + i * step, ly, step - 1, 3, style="F")
        pdf.set_xy(x + i * step, ly + 3)
        pdf.cell(step - 1, 3, f"{number(top * i / len(RDPU))}+" if i else "0", align="C")
    pdf.set_fill_color(*GREY)
    pdf.rect(x + len(RDPU) * step, ly, step - 1, 3, style="F")
    pdf.set_xy(x + len(RDPU) * step, ly + 3)
    pdf.cell(step - 1, 3, t("nodata", lang), align="C")


def _draw_star(pdf: FPDF, cx: float, cy: float, r: float, shares: dict[str, float], lang: str) -> None:
    """Health at the top, clockwise, like TPMAP's star; rings at 25, 50, 75 and 100 % of target poor."""
    n = len(DIMENSIONS)

    def at(i: int, frac: float) -> tuple[float, float]:
        a = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * frac * math.cos(a), cy + r * frac * math.sin(a)

    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    for frac in (0.25, 0.5, 0.75, 1.0):
        pdf.polygon([at(i, frac) for i in range(n)], style="D")
    for i in range(n):
        pdf.line(cx, cy, *at(i, 1.0))
    pdf.set_draw_color(197, 27, 138)
    pdf.set_fill_color(250, 159, 181)
    pdf.set_line_width(0.5)
    pdf.polygon([at(i, max(0.0, min(1.0, shares.get(d, 0.0)))) for i, d in enumerate(DIMENSIONS)], style="DF")
    pdf.set_font("Sarabun", "", 8)
    pdf.set_text_color(*INK)
    for i, d in enumerate(DIMENSIONS):
        lx, ly = at(i, 1.22)
        pdf.set_xy(lx - 20, ly - 3)
        pdf.cell(40, 4, t(f"dim.{d}", lang), align="C")
        pdf.set_xy(lx - 20, ly + 1)
        pdf.cell(40, 4, percent(shares.get(d, 0.0), 1), align="C")


def _table(pdf: FPDF, rows: list[list[str]], widths: list[float], header: bool = True) -> None:
    pdf.set_font("Sarabun", "", 9.5)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    with pdf.table(
        col_widths=widths,
        text_align=["LEFT"] + ["RIGHT"] * (len(widths) - 1),
        first_row_as_headings=header,
        line_height=5.6,
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        for r in rows:
            row = table.row()
            for c in r:
                row.cell(c)


def render(report: Mapping[str, Any], *, geojson: dict | None = None, lang: str = "th") -> bytes:
    f = report["figures"] or {}
    pdf = _Report(format="A4", unit="mm")
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("Sarabun", "", str(FONT_DIR / "Sarabun-Regular.ttf"))
    pdf.add_font("Sarabun", "B", str(FONT_DIR / "Sarabun-Bold.ttf"))
    pdf.set_text_shaping(True)
    name = _name(f | {"province_code": report["province_code"]}, lang)
    pdf.set_title(f"{t('rep.title', lang)} {name} {report['fiscal_year']}-Q{report['quarter']}")
    pdf.set_author("TPMAP Open")
    pdf.set_creator("TPMAP Open")
    pdf.footer_text = f"TPMAP Open · {name} · {report['fiscal_year']}-Q{report['quarter']}"
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font("Sarabun", "B", 17)
    pdf.multi_cell(0, 9, t("rep.title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sarabun", "B", 15)
    pdf.multi_cell(0, 8, t("rep.province", lang, name=name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sarabun", "", 11.5)
    start, end = f.get("start"), f.get("end")
    pdf.multi_cell(
        0,
        6,
        t("rep.period", lang, q=report["quarter"], y=report["fiscal_year"], start=_date(start, lang), end=_date(end, lang)),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    # the same status words as the page and the workbook (components.labels.report_state); a draft says why its
    # figures may differ from a later print
    state = report_state(dict(report), lang)
    if report["status"] == "submitted":
        pdf.set_text_color(25, 135, 84)
    else:
        state = f"{state} · {t('rep.draft_note', lang)}"
        pdf.set_text_color(176, 42, 55)
    pdf.multi_cell(0, 6, state, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(2)

    # Headline figures
    sy = f.get("survey_year")
    pdf.set_font("Sarabun", "B", 12.5)
    pdf.cell(0, 7, t("rep.figures", lang, year=sy or "–"), new_x="LMARGIN", new_y="NEXT")
    rows = [
        [t("rep.col_item", lang), t("rep.col_value", lang)],
        [t("metric.target_poor", lang), number(f.get("target_poor_persons"))],
        [t("rep.target_poor_households", lang), number(f.get("target_poor_households"))],
        [t("rank.ge3", lang), number(f.get("crisis_ge3"))],
        [t("rank.basic_needs", lang), number(f.get("crisis_basic_needs"))],
        [t("rep.visits", lang), number(f.get("visits"))],
        [t("rep.households_visited", lang), number(f.get("households_visited"))],
        [t("rep.assistance", lang), number(f.get("assistance"))],
        [t("rep.households_helped", lang), number(f.get("households_helped"))],
        [t("rep.baht", lang), number(f.get("assistance_baht"))],
        [t("rep.persons_added", lang), number(f.get("persons_added"))],
    ]
    rows += [
        [t("rep.status_change", lang, status=t(f"lb.ladder.{s}", lang)), number(n)]
        for s, n in (f.get("status_changes") or {}).items()
    ]
    rows += [[label, shown] for label, _, shown in change_rows(f, lang)]
    _table(pdf, rows, [120, 50])
    pdf.ln(3)

    # Map and star, side by side
    if pdf.get_y() > 190:
        pdf.add_page()
    y0 = pdf.get_y()
    pdf.set_font("Sarabun", "B", 11)
    pdf.cell(90, 6, t("rep.map_title", lang))
    pdf.cell(0, 6, t("rep.star_title", lang), new_x="LMARGIN", new_y="NEXT")
    values = {a["code"]: a["target_poor_persons"] for a in f.get("amphoes", []) if a.get("target_poor_persons") is not None}
    _draw_map(pdf, pdf.l_margin, y0 + 8, 85, 82, geojson, values, lang)
    tp = f.get("target_poor_persons") or 0
    shares = {d: (f.get("dimension_target_poor") or {}).get(d, 0) / tp if tp else 0.0 for d in DIMENSIONS}
    _draw_star(pdf, pdf.l_margin + 135, y0 + 48, 28, shares, lang)
    pdf.set_xy(pdf.l_margin, y0 + 94)

    # Open needs by dimension
    pdf.set_font("Sarabun", "B", 12.5)
    pdf.cell(0, 7, t("rep.open_needs", lang, end=_date(end, lang)), new_x="LMARGIN", new_y="NEXT")
    needs = f.get("open_needs") or {}
    _table(
        pdf,
        [[t("rep.col_dimension", lang), t("rep.col_open", lang)]]
        + [[t(f"dim.{d}", lang), number(needs.get(d, 0))] for d in DIMENSIONS],
        [120, 50],
    )
    pdf.ln(3)

    # Amphoes
    if f.get("amphoes"):
        pdf.set_font("Sarabun", "B", 12.5)
        pdf.cell(0, 7, t("rep.amphoes", lang), new_x="LMARGIN", new_y="NEXT")
        _table(
            pdf,
            [[t("table.area", lang), t("metric.target_poor", lang), t("rank.ge3", lang), t("rep.visits", lang)]]
            + [
                [
                    (a["name_en"] if lang == "en" else a["name_th"]) or a["code"],
                    number(a["target_poor_persons"]),
                    number(a["crisis_ge3"]),
                    number(a["visits"]),
                ]
                for a in f["amphoes"]
            ],
            [70, 35, 35, 30],
        )
        pdf.ln(3)

    # The unit's own text
    for key in ("progress", "obstacles", "suggestions"):
        pdf.set_font("Sarabun", "B", 12.5)
        pdf.cell(0, 7, t(f"rep.{key}", lang), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Sarabun", "", 11)
        pdf.multi_cell(0, 6, report.get(key) or "–", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font("Sarabun", "", 8.5)
    pdf.set_text_color(110, 110, 110)
    pdf.multi_cell(0, 4.5, t("rep.method", lang, computed=_date(f.get("computed_at"), lang)), new_x="LMARGIN", new_y="NEXT")
    _map_sara_am(pdf)
    return bytes(pdf.output())


def load_geojson(province_code: str) -> dict | None:
    from data_access.areas import display_shapes
    from geo import shapes

    path = shapes.path_for(f"amphoes/{province_code}.json", display_shapes)
    return json.loads(path.read_text("utf-8")) if path else None
