"""The quarterly report as a workbook: the same figures as the PDF, one sheet per table, numbers as numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.fmt import be_date
from components.i18n import t
from components.labels import change_rows, report_state
from exports.tables import xlsx_bytes
from mpi.rules import DIMENSIONS


def render(report: Mapping[str, Any], lang: str = "th") -> bytes:
    f = report["figures"] or {}
    name = (f.get("name_en") if lang == "en" else f.get("name_th")) or report["province_code"]
    item, value = t("rep.col_item", lang), t("rep.col_value", lang)
    cols = [("item", item), ("value", value)]
    summary = [
        {"item": t("table.area", lang), "value": name},
        {"item": t("rep.quarter", lang), "value": f"{report['fiscal_year']}-Q{report['quarter']}"},
        {"item": t("rep.start", lang), "value": be_date(f.get("start"), lang)},
        {"item": t("rep.end", lang), "value": be_date(f.get("end"), lang)},
        {"item": t("rep.status", lang), "value": report_state(dict(report), lang)},
        {"item": t("rep.survey_year", lang), "value": f.get("survey_year")},
        {"item": t("metric.target_poor", lang), "value": f.get("target_poor_persons")},
        {"item": t("rep.target_poor_households", lang), "value": f.get("target_poor_households")},
        {"item": t("rank.ge3", lang), "value": f.get("crisis_ge3")},
        {"item": t("rank.basic_needs", lang), "value": f.get("crisis_basic_needs")},
        {"item": t("rep.visits", lang), "value": f.get("visits")},
        {"item": t("rep.households_visited", lang), "value": f.get("households_visited")},
        {"item": t("rep.assistance", lang), "value": f.get("assistance")},
        {"item": t("rep.households_helped", lang), "value": f.get("households_helped")},
        {"item": t("rep.baht", lang), "value": f.get("assistance_baht")},
        {"item": t("rep.persons_added", lang), "value": f.get("persons_added")},
    ]
    summary += [
        {"item": t("rep.status_change", lang, status=t(f"lb.ladder.{s}", lang)), "value": n}
        for s, n in (f.get("status_changes") or {}).items()
    ]
    summary += [{"item": label, "value": v} for label, v, _ in change_rows(f, lang)]
    tp = f.get("target_poor_persons") or 0
    deprived = f.get("dimension_target_poor") or {}
    dims = [
        {
            "dimension": t(f"dim.{d}", lang),
            "target_poor_deprived": deprived.get(d),
            "share_pct": round(100 * deprived[d] / tp, 1) if tp and deprived.get(d) is not None else None,
            "open_needs": (f.get("open_needs") or {}).get(d, 0),
        }
        for d in DIMENSIONS
    ]
    amphoes = [
        {
            "code": a["code"],
            "name": (a["name_en"] if lang == "en" else a["name_th"]) or a["code"],
            "target_poor": a["target_poor_persons"],
            "crisis_ge3": a["crisis_ge3"],
            "crisis_basic_needs": a["crisis_basic_needs"],
            "visits": a["visits"],
        }
        for a in f.get("amphoes", [])
    ]
    text = [{"section": t(f"rep.{k}", lang), "text": report.get(k) or ""} for k in ("progress", "obstacles", "suggestions")]
    # sheet names are short labels of their own (a sentence cut at 31 characters ends mid-bracket)
    return xlsx_bytes(
        [
            (t("rep.sheet.figures", lang), summary, cols),
            (
                t("rep.sheet.dimensions", lang),
                dims,
                [
                    ("dimension", t("rep.col_dimension", lang)),
                    ("target_poor_deprived", t("rep.col_deprived", lang)),
                    ("share_pct", t("rep.star_title", lang) + " (%)"),
                    ("open_needs", t("rep.col_open", lang)),
                ],
            ),
            (
                t("rep.amphoes", lang),
                amphoes,
                [
                    ("code", t("table.code", lang)),
                    ("name", t("table.area", lang)),
                    ("target_poor", t("metric.target_poor", lang)),
                    ("crisis_ge3", t("rank.ge3", lang)),
                    ("crisis_basic_needs", t("rank.basic_needs", lang)),
                    ("visits", t("rep.visits", lang)),
                ],
            ),
            (t("rep.progress", lang), text, [("section", item), ("text", t("rep.progress", lang))]),
        ],
        title=f"{t('rep.title', lang)} {name}",
    )
