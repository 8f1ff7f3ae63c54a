"""The ranking's tables, defined once: the page (/ranking) and its CSV and XLSX files take their columns, headers,
values and rounding from here, so a file holds what the page shows, in the same order, under the same words."""

from __future__ import annotations

from dataclasses import dataclass

from components.i18n import area_name, t


@dataclass(frozen=True)
class Column:
    id: str
    header: str
    kind: str = "int"  # int | signed_int | pct | signed_pct | points | text | name
    digits: int = 0  # decimals kept (and shown) for a pct, signed_pct or points column

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "name")

    def specifier(self) -> str:
        """The d3 format a page table shows the value with."""
        sign = "+" if self.kind.startswith("signed") or self.kind == "points" else ""
        return f"{sign}," if self.kind.endswith("int") else f"{sign}.{self.digits}f"


DECK_RULES = ("ge3", "basic_needs")  # the source deck's two crisis rules, always shown side by side
SHARE_DIGITS = 3  # crisis groups are small shares of the surveyed: 0.007 % is a real value, never shown as 0.01


def crisis_columns(by: str, lang: str) -> list[Column]:
    """A crisis ranking: both of the source deck's rules side by side, the share under the rule ranked by (a rule of
    the API's own, `by=custom`, adds its count: the deck's two are already there)."""
    own = by not in DECK_RULES
    # the share stands right after the count of the rule ranked by, under a header of its own: naming the rule
    # again ("ร้อยละของผู้ถูกสำรวจ: ขาดตั้งแต่ 3 มิติ (%)") wrote it twice, and "ร้อยละ" with "(%)" the percent twice
    share = Column("share", t("rank.share", lang), "pct", SHARE_DIGITS)
    counts = [Column("ge3", t("rank.ge3", lang)), Column("basic", t("rank.basic_needs", lang))]
    if own:
        counts += [Column("crisis", t("rank.by", lang)), share]
    else:
        at = 1 + [c.id for c in counts].index("ge3" if by == "ge3" else "basic")
        counts.insert(at, share)
    return [
        Column("rank", "#"),
        Column("name", t("table.area", lang), "name"),
        Column("code", t("table.code", lang), "text"),
        Column("target_poor", t("table.target_poor", lang)),
        *counts,
    ]


def crisis_rows(rows: list[dict], lang: str) -> list[dict]:
    return [
        {
            "rank": r["rank"],
            "name": area_name(r, lang),
            "code": r["code"],
            "target_poor": r["target_poor_persons"],
            "ge3": r["crisis_ge3"],
            "basic": r["crisis_basic_needs"],
            "crisis": r["crisis"],
            "share": round(100 * r["crisis_share"], SHARE_DIGITS),
        }
        for r in rows
    ]


def change_columns(year_from: int, year_to: int, lang: str) -> list[Column]:
    return [
        Column("rank", "#"),
        Column("name", t("table.area", lang), "name"),
        Column("code", t("table.code", lang), "text"),
        Column("before", t("rank.before", lang, year=year_from)),
        Column("after", t("rank.before", lang, year=year_to)),
        Column("change", t("rank.change_persons", lang), "signed_int"),
        Column("points", t("rank.change_points", lang), "points", 2),
        Column("pct", t("rank.change_pct", lang), "signed_pct", 1),
        Column("source", t("rank.source", lang), "text"),
    ]


def change_rows(items: list[dict], lang: str) -> list[dict]:
    def rounded(v: float | None, digits: int) -> float | None:
        return None if v is None else round(v, digits)

    return [
        {
            "rank": r["rank"],
            "name": area_name(r, lang),
            "code": r["code"],
            "before": r["before"],
            "after": r["after"],
            "change": r["change"],
            "points": rounded(r["change_points"], 2),
            "pct": rounded(r["change_pct"], 1),
            "source": " → ".join(t(f"rank.source.{x}", lang) for x in (r["source_before"], r["source_after"])),
        }
        for r in items
    ]


def file_columns(columns: list[Column]) -> list[tuple[str, str]]:
    """The (key, header) pairs a CSV or XLSX file is written with."""
    return [(c.id, c.header) for c in columns]


def page_columns(columns: list[Column]) -> list[dict]:
    """The DataTable's columns: the name a link, numbers right-aligned in the page's format."""
    out = []
    for c in columns:
        col: dict = {"name": c.header, "id": c.id}
        if c.kind == "name":
            col["presentation"] = "markdown"
        elif c.numeric:
            col |= {"type": "numeric", "format": {"specifier": c.specifier()}}
        out.append(col)
    return out
