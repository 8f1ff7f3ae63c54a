"""Labels of computed tables in the reader's language (the data layer returns keys; the words are ours)."""

from __future__ import annotations

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
