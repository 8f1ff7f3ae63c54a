"""Labels of computed tables in the reader's language (the data layer returns keys; the words are ours)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components import fmt
from components.i18n import area_name, t
from data_access import figures
from mpi import catalogue


def pivot_labels(result: dict, lang: str) -> dict:
    """Labels of a pivot's row and column keys in the language."""
    inds = {i.code: (i.name_en if lang == "en" else i.name_th) for i in catalogue.indicators_for_year(result["year"])}
    names = {r["key"]: area_name({"code": r["key"], **r}, lang) for r in result["items"] if "name_th" in r}

    def label(axis: str, key: str) -> str:
        if axis == "area":
            return names.get(key) or key
        if axis == "dimension":
            return t(f"dim.{key}", lang)
        if axis == "indicator":
            return f"{key} {inds.get(key, '')}"
        if axis == "crisis":
            return t(f"rank.{key}", lang)
        if axis == "deprivations":
            return t("pivot.k_dims", lang, k=key)
        if axis == "status":
            return t(f"lb.ladder.{key}", lang)
        return key

    if result["cols"] == "area":
        children = {c["code"]: c for c in figures.children_summaries(result["code"], result["year"])}
        col_names = {k: area_name(children[k], lang) if k in children else k for k in result["columns"]}
    else:
        col_names = {k: label(result["cols"], k) for k in result["columns"]}
    return {"rows": {r["key"]: label(result["rows"], r["key"]) for r in result["items"]}, "cols": col_names}


def report_state(report: Mapping[str, Any], lang: str) -> str:  # a Report (or an export's copy of one)
    """A report's status in words, the same on its page, in its PDF and in its workbook: the catalogue's status word
    (ยังไม่เริ่ม, ร่าง, ส่งแล้ว), and for a submitted report when and by whom."""
    status = t(f"rep.status.{report['status']}", lang)
    if report["status"] != "submitted":
        return status
    return t("rep.state_submitted", lang, status=status, at=fmt.be_date(report["submitted_at"], lang), by=report["submitted_by"])


def change_rows(f: Mapping[str, Any], lang: str) -> list[tuple[str, int | float | str, str]]:  # QuarterFigures
    """A report's change since the edition before, as (label, value, the value as shown) lines for the page, the PDF
    (the text) and the XLSX (the value: a number stays a number, the change and its per cent in cells of their own)."""
    ch = f.get("change")
    if not ch:
        none = t("rep.change_none", lang)
        return [(t("rep.change", lang), none, none)]
    a, b = ch["year_from"], ch["year_to"]
    rows: list[tuple[str, int | float | str, str]] = [
        (t("rep.change_target_poor", lang, a=a, b=b), ch["change"], fmt.signed(ch["change"])),
    ]
    if ch["change_pct"] is not None:
        pct = round(ch["change_pct"], 1)
        rows.append((t("rep.change_target_poor_pct", lang, a=a, b=b), pct, fmt.signed(pct, 1) + "%"))
    fl = f.get("flows")
    if fl:
        rows += [
            (t(f"flow.{k}", lang), fl[f"{col}_persons"], fmt.number(fl[f"{col}_persons"]))
            for k, col in (("stayed", "stayed"), ("exited", "exited"), ("entered", "entered"), ("left", "left_survey"))
        ]
    return rows
