"""An area's story in a few paragraphs, Thai or English: rule-based and reproducible (same figures, same words).

compose() returns paragraphs as lists of segments. A segment is text, or a number that links to the view it comes
from and names the API field that holds it (so a test can check every number against the API).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from components import fmt
from components.i18n import area_name, defined, t
from data_access import logbook
from mpi import registers as register_kinds
from mpi.rules import ALL_DIMENSIONS_MASK, DIMENSION_BIT, DIMENSIONS

LEVEL_CHILD = {"country": "province", "province": "amphoe", "amphoe": "tambon"}


def _num(value: Any, href: str, api: str, field: str, text: str | None = None) -> dict[str, Any]:
    return {"text": text if text is not None else fmt.number(value), "value": value, "href": href, "api": api, "field": field}


def _pct(part: int, whole: int) -> str:
    return fmt.percent(part / whole if whole else 0.0, 1)


def _join(items: list[Any], lang: str) -> list[Any]:
    """a, b and c / a, b และ c, keeping segments intact."""
    out: list = []
    for i, item in enumerate(items):
        if i:
            out.append(t("story.and", lang) if i == len(items) - 1 else ", ")
        out.extend(item if isinstance(item, list) else [item])
    return out


def compose(f: Mapping[str, Any], lang: str, query: str) -> list[list[Any]]:
    a, year = f["area"], f["year"]
    code = a["code"]
    name = area_name(a, lang)
    mask = f.get("mask", ALL_DIMENSIONS_MASK)
    # the API links carry the dimension selection the figures were computed with, so they return the same numbers
    dims_q = "" if mask == ALL_DIMENSIONS_MASK else "&dimensions=" + ",".join(d for d in DIMENSIONS if mask & DIMENSION_BIT[d])
    who_q = f"&definition={f['definition']}" if f.get("definition") else ""
    dims_q += who_q  # and the definition: the same people counted
    stage = f.get("stage")
    age_q = f"&age={stage}" if stage else ""  # and the life stage: the same persons (the area's, parent's, children's)
    api = f"/api/v1/areas/{code}?year={year}{dims_q}{age_q}"
    base_query = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=True) if k != "metric"]

    def page(c: str, metric: str) -> str:
        # one metric per link (the view's own is replaced), and the view's dims kept: the map shows this number
        return ("/" if c == "TH" else f"/area/{c}") + "?" + urlencode(base_query + [("metric", metric)])

    tp, surveyed = a["target_poor_persons"], a["surveyed_persons"]
    paras: list[list] = []

    # 1. Where it stands: against its parent and among its peers.
    p1: list = [
        t(defined("story.has", f.get("definition")), lang, area=name),
        _num(tp, page(code, "target_poor"), api, "target_poor_persons"),
        t(defined("story.of_surveyed", f.get("definition")), lang),
        _num(surveyed, page(code, "target_poor"), api, "surveyed_persons"),
        t("story.share", lang, pct=_pct(tp, surveyed)),
    ]
    parent = f["parent"]
    if parent:
        papi = f"/api/v1/areas/{parent['code']}?year={year}{dims_q}{age_q}"
        ratio, pratio = a["headcount_ratio"], parent["headcount_ratio"]
        key = "story.higher" if ratio > pratio else "story.lower" if ratio < pratio else "story.same"
        p1 += [
            t(key, lang, parent=area_name(parent, lang)),
            _num(pratio, page(parent["code"], "target_poor"), papi, "headcount_ratio", text=fmt.percent(pratio, 1)),
            ")",
        ]
    if f.get("parent_area"):  # the peers that have this edition (a year may be loaded for some provinces only)
        peers = sorted(f["siblings"], key=lambda s: (-s["headcount_ratio"], s["code"]))
        rank = next((i for i, s in enumerate(peers, 1) if s["code"] == code), None)
        level, pname = t(f"story.levels.{a['level']}", lang), area_name(f["parent_area"], lang)
        lacking = f.get("siblings_lacking", 0)
        if rank and lacking:
            p1.append(
                t("story.rank_partial", lang, rank=rank, n=len(peers), level=level, parent=pname, year=year, lacking=lacking)
            )
        elif rank:
            p1.append(t("story.rank", lang, rank=rank, n=len(peers), level=level, parent=pname))
    p1 += [
        t("story.crisis", lang),
        _num(a["crisis_persons"], page(code, "crisis"), api, "crisis_persons"),
        t("story.persons", lang),
    ]
    paras.append(p1)

    # 1b. Change since the edition before, and who got out or came in (as the trend and flows APIs give them).
    ch = f.get("change")
    if ch:
        who = who_q
        trend_api = f"/api/v1/areas/{code}/trend?{dims_q.lstrip('&')}".rstrip("?")
        direction = "fell" if ch["change"] < 0 else "rose" if ch["change"] > 0 else "same"
        pct = "±0" if not ch["change_pct"] else f"{ch['change_pct']:+.1f}%"
        pc: list = [
            t(f"story.change.{direction}", lang, a=ch["year_from"], area=name),
            _num(ch["before"], page(code, "change"), trend_api, f"items[{ch['year_from']}].target_poor_persons"),
            t("story.change.to", lang),
            _num(ch["after"], page(code, "change"), trend_api, f"items[{ch['year_to']}].target_poor_persons"),
            t("story.change.in", lang, b=ch["year_to"], pct=pct),
        ]
        fl = f.get("flows")
        if fl:
            fapi = f"/api/v1/areas/{code}/flows?from={fl['from']}&to={fl['to']}{who}"
            pc += [
                t("story.flows.exited", lang, a=fl["from"]),
                _num(fl["exited_persons"], page(code, "change"), fapi, "exited_persons"),
                t("story.flows.exited_end", lang),
                _num(fl["stayed_persons"], page(code, "change"), fapi, "stayed_persons"),
                t("story.flows.stayed_end", lang),
                _num(fl["left_survey_persons"], page(code, "change"), fapi, "left_survey_persons"),
                t("story.flows.left_end", lang),
                _num(fl["entered_persons"], page(code, "change"), fapi, "entered_persons"),
                t("story.flows.entered_end", lang),
            ]
        else:
            pc.append(t("story.stop", lang))
        paras.append(pc)
    elif f.get("change_unsplit"):  # under a stage: the change is all ages only, said instead of shown
        paras.append([t("err.not_by_stage.change", lang)])

    # 2. Weakest dimensions and indicators.
    if tp:
        dims = sorted((d for d in DIMENSIONS if a["dimension_target_poor"][d]), key=lambda d: -a["dimension_target_poor"][d])
        top = [
            [
                t(f"dim.{d}", lang) + " (",
                _num(a["dimension_target_poor"][d], page(code, f"dim:{d}"), api, f"dimension_target_poor.{d}"),
                f" {t('story.persons_short', lang)}, {_pct(a['dimension_target_poor'][d], tp)})",
            ]
            for d in dims[:2]
        ]
        p2: list = [t("story.weakest", lang)] + _join(top, lang) + [t("story.stop", lang)]
        inds = sorted(((c, n) for c, n in (a.get("indicator_target_poor") or {}).items() if n), key=lambda x: (-x[1], x[0]))
        if inds:
            named = [
                [
                    (f["indicators"][c].name_en if lang == "en" else f["indicators"][c].name_th) + f" [{c}] (",
                    _num(n, page(code, f"ind:{c}"), api, f"indicator_target_poor.{c}"),
                    ")",
                ]
                for c, n in inds[:3]
                if c in f["indicators"]
            ]
            p2 += [" " + t("story.indicators", lang)] + _join(named, lang) + [t("story.stop", lang)]
        paras.append(p2)

    # 3. Largest pockets of target poor: child areas, or villages of a tambon.
    if f["children"]:
        kids = sorted(f["children"], key=lambda c: (-c["target_poor_persons"], c["code"]))[:3]
        capi = f"/api/v1/areas/{code}/children?year={year}{dims_q}{age_q}"
        pockets = [
            [
                area_name(c, lang) + " (",
                _num(c["target_poor_persons"], page(c["code"], "target_poor"), capi, f"items[{c['code']}].target_poor_persons"),
                ")",
            ]
            for c in kids
        ]
        together = sum(c["target_poor_persons"] for c in kids)
        paras.append(
            [t("story.pockets", lang, level=t(f"level.{LEVEL_CHILD[a['level']]}", lang).lower())]
            + _join(pockets, lang)
            + [t("story.together", lang, pct=_pct(together, tp), area=name)]
        )
    elif f["villages"]:
        vs = sorted(f["villages"], key=lambda v: (-v["target_poor_persons"], v["village_no"]))[:3]
        spots: list[Any] = [f"{t('hh.village', lang)} {v['village_no']} ({fmt.number(v['target_poor_persons'])})" for v in vs]
        paras.append(
            [t("story.pockets", lang, level=t("story.levels.village", lang))] + _join(spots, lang) + [t("story.stop", lang)]
        )

    # 4. Coverage gaps (issue 33): who is eligible, target poor and not on the register, as of its date.
    paras += _gaps(f.get("gaps") or [], code, year, lang, page, stage)

    # 5. Progress from the Logbook.
    p = f["progress"]
    papi = f"/api/v1/areas/{code}/progress?year={year}"
    visited, helped = p["households_visited"], p["households_helped"]
    if visited != 0 or helped != 0:  # a suppressed count (None) is one or two: something, said as such
        open_total = logbook.total(p["open_needs"].values())
        p4: list = [t("story.stage_logbook", lang)] if stage else []  # households: the Logbook has no life stage
        p4 += [
            t("story.visited", lang),
            _num(visited, page(code, "lb:visited"), papi, "households_visited", fmt.count(visited, lang)),
            t("story.helped", lang),
            _num(helped, page(code, "lb:helped"), papi, "households_helped", fmt.count(helped, lang)),
            t("story.households", lang),
        ]
        if open_total != 0:
            exact = not isinstance(open_total, logbook.Hidden)
            p4 += [
                t("story.open", lang),
                _num(
                    open_total if exact else None, page(code, "lb:open_needs"), papi, "open_needs.*", fmt.count(open_total, lang)
                ),
                *_open_most(p["open_needs"], lang),
            ]
        paras.append(p4)
    else:
        paras.append([t("story.no_logbook", lang, area=name)])
    return paras


def _gaps(gaps: Sequence[Mapping[str, Any]], code: str, year: int, lang: str, page: Any, stage: str | None) -> list[list[Any]]:
    """A sentence per loaded register with a gap rule: the eligible target poor not receiving it, of the eligible,
    with the register's date (counts of 1 or 2 kept from a viewer outside the area, as on the map). The eligible are
    counted by the programme's own rule: under a stage, said so."""
    gapi = f"/api/v1/areas/{code}/gaps?year={year}"
    paras: list[list[Any]] = []
    for g in gaps:
        if not g["eligible_persons"] and g["eligible_persons"] is not None:
            continue  # nobody eligible here: nothing to tell
        key = g["register"]
        kind = register_kinds.kinds().get(key)
        href = page(code, f"gap:{key}")
        paras.append(
            [
                t("story.gap", lang, register=kind.name(lang) if kind else key, date=fmt.be_date(g["as_of"], lang)),
                _num(g["unserved_persons"], href, gapi, f"items[{key}].unserved_persons", fmt.count(g["unserved_persons"], lang)),
                t("story.gap_of", lang),
                _num(g["eligible_persons"], href, gapi, f"items[{key}].eligible_persons", fmt.count(g["eligible_persons"], lang)),
                t("story.gap_end", lang),
            ]
            + ([" " + t("lens.gap_not_by_stage", lang)] if stage else [])
        )
    return paras


def _open_most(needs: dict[str, int | None], lang: str) -> list[str]:
    """Where most open needs are: a known count of 3 or more outnumbers any suppressed one (1 or 2); with only
    suppressed ones, the one dimension that has any, or (several) none named."""
    known = [d for d in DIMENSIONS if needs[d]]
    some = [d for d in DIMENSIONS if needs[d] != 0]
    if not known and len(some) > 1:
        return [t("story.open_end", lang)]
    worst = max(known, key=lambda d: (needs[d], -DIMENSIONS.index(d))) if known else some[0]
    return [t("story.open_most", lang, dim=t(f"dim.{worst}", lang))]


def plain(paras: list[list[Any]]) -> str:
    """The story as plain text (for copying into minutes)."""
    return "\n\n".join("".join(s if isinstance(s, str) else s["text"] for s in p) for p in paras)
