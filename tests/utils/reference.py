"""An independent, deliberately naive computation of the API figures from survey rows.

It walks person by person, as one would by hand, sharing no code with mpi.rules or the SQL
rollups, so the two can check each other.
"""

from __future__ import annotations

from collections import defaultdict

DIM_OF_PREFIX = {"1": "health", "2": "living", "3": "education", "4": "income", "5": "access"}
DIMS = ["health", "living", "education", "income", "access"]


def area_codes_of(tambon: str) -> list[str]:
    return ["TH", tambon[:2], tambon[:4], tambon]


def reference_figures(survey, selected: list[str] | None = None) -> dict[str, dict]:
    selected = selected or DIMS
    failed = defaultdict(set)
    for f in survey.failures:
        failed[f["house_id"]].add(f["indicator"])
    tambon_of = {h["house_id"]: h["tambon_code"] for h in survey.households}
    out: dict[str, dict] = {}

    def fig(code):
        if code not in out:
            out[code] = {
                "surveyed_households": 0,
                "surveyed_persons": 0,
                "poor_persons": 0,
                "target_poor_persons": 0,
                "crisis_persons": 0,
                "_tp_houses": set(),
                "_score": 0.0,
                "dimension_target_poor": dict.fromkeys(DIMS, 0),
                "indicator_target_poor": defaultdict(int),
                "deprived_dimensions_target_poor": {str(k): 0 for k in range(1, 6)},
            }
        return out[code]

    for h in survey.households:
        for code in area_codes_of(h["tambon_code"]):
            fig(code)["surveyed_households"] += 1
    for p in survey.persons:
        house = p["house_id"]
        dims = {DIM_OF_PREFIX[c[0]] for c in failed[house]} & set(selected)
        poor = len(dims) > 0
        target = poor and p["welfare_card"] == "1"
        for code in area_codes_of(tambon_of[house]):
            a = fig(code)
            a["surveyed_persons"] += 1
            if poor:
                a["poor_persons"] += 1
            if target:
                a["target_poor_persons"] += 1
                a["_tp_houses"].add(house)
                a["_score"] += len(dims) / 5
                a["deprived_dimensions_target_poor"][str(len(dims))] += 1
                if len(dims) >= 3:
                    a["crisis_persons"] += 1
                for d in dims:
                    a["dimension_target_poor"][d] += 1
                for ind in failed[house]:
                    if DIM_OF_PREFIX[ind[0]] in selected:
                        a["indicator_target_poor"][ind] += 1
    for a in out.values():
        a["target_poor_households"] = len(a.pop("_tp_houses"))
        score = a.pop("_score")
        a["headcount_ratio"] = a["target_poor_persons"] / a["surveyed_persons"] if a["surveyed_persons"] else 0.0
        a["intensity"] = score / a["target_poor_persons"] if a["target_poor_persons"] else 0.0
        a["mpi"] = a["headcount_ratio"] * a["intensity"]
        a["indicator_target_poor"] = dict(a["indicator_target_poor"])
    return out
