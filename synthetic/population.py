"""A synthetic household population calibrated to TPMAP's published tambon figures.

For every tambon it reproduces exactly: surveyed households and persons, and for each of the 31
deprivation patterns the jpt-poor households, jpt-poor persons and target-poor persons (the
`exact_*` columns of tpmap_<year>_tambon_patterns.csv). Welfare-card holders among the
non-poor make up the tambon's verified welfare registrants. Indicators are then chosen within
each household's deprived dimensions so that target poor per indicator come close to the
published tp_ind_* counts. Output is the survey import format, so it goes through the same
validation and import as real data.

What cannot be expressed in the pinned import format is not generated: registered-but-not-
verified welfare applicants (mof_registered) have no column, so they appear as welfare_card 0.

Every household is one that can exist: ages are counted on the edition's survey date (mpi.editions), and a
household fails an indicator asked about some members only (its scope in mpi/data: 4.2 members aged 60 or over,
3.2 children of 6-14, 5.2 disabled members) only when it has such a member; a household deprived in a dimension
whose every indicator is scoped (education, access) is given members for one of them. Villages of a tambon are
numbered 1..n, each with households.

Synthetic citizen IDs are recognisable: they match ^900[0-9]{10}$, i.e. the first digit 9 and
a registration-office province code of 00, which no real ID carries, and they pass the check
digit. Same seed, same output: every tambon draws from its own generator seeded by
(seed, tambon code), so output does not depend on which provinces are generated together.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from mpi import catalogue
from mpi.editions import survey_date
from mpi.rules import DIMENSION_BIT, DIMENSIONS

DISABLED_RATE = 0.015
CITIZEN_PREFIX = "900"
SERIAL_BLOCK = 120_000  # > the largest tambon (about 91,000 persons); 7,588 blocks fit in 9 digits
MALE_NAMES = [
    "สมชาย",
    "สมศักดิ์",
    "ประเสริฐ",
    "บุญมี",
    "สมพงษ์",
    "วิชัย",
    "สุรชัย",
    "ณรงค์",
    "ประยูร",
    "ทองดี",
    "มานะ",
    "อนันต์",
    "ชัยวัฒน์",
    "สุชาติ",
    "พิชิต",
    "ธนากร",
    "กิตติ",
    "อภิชาติ",
    "ศักดิ์ชัย",
    "วีระ",
]
FEMALE_NAMES = [
    "สมศรี",
    "มาลี",
    "บุญเรือน",
    "สุภาพ",
    "ทองใบ",
    "นงลักษณ์",
    "วันเพ็ญ",
    "จันทร์เพ็ญ",
    "สายสุนีย์",
    "ประภา",
    "อรุณี",
    "กัญญา",
    "สุดารัตน์",
    "พรทิพย์",
    "รัตนา",
    "ศิริพร",
    "นิตยา",
    "วิไล",
    "ปราณี",
    "อำไพ",
]
SURNAMES = [
    "ใจดี",
    "มีสุข",
    "ทองคำ",
    "แสงจันทร์",
    "ศรีสุข",
    "บุญมา",
    "สุขสวัสดิ์",
    "วงศ์ไทย",
    "แก้วมณี",
    "ทองมา",
    "คำแก้ว",
    "ปัญญาดี",
    "จันทร์หอม",
    "สายทอง",
    "พรหมมา",
    "อินทร์แก้ว",
    "ชัยมงคล",
    "บุญเกิด",
    "ศรีวงศ์",
    "ดวงดี",
    "เพชรรัตน์",
    "นาคสุข",
    "สมบัติ",
    "ขันทอง",
    "มั่นคง",
    "ยอดดี",
    "ธงชัย",
    "รักษา",
    "เรือนคำ",
    "ผาสุข",
]


@dataclass
class TambonTarget:
    code: str
    households: int
    persons: int
    welfare_verified: int
    # pattern (1..31) -> (households, persons, target_poor)
    patterns: dict[int, tuple[int, int, int]]
    indicator_target: dict[str, int]


def citizen_id(serials: np.ndarray) -> np.ndarray:
    """Synthetic IDs 900 + 9-digit serial + check digit, vectorised."""
    first12 = np.char.add(CITIZEN_PREFIX, np.char.zfill(serials.astype(str), 9))
    digits = np.frombuffer("".join(first12.tolist()).encode(), dtype=np.uint8).reshape(-1, 12) - 48
    check = (11 - (digits.astype(np.int64) @ np.arange(13, 1, -1)) % 11) % 10
    return np.char.add(first12, check.astype(str))


def load_targets(domain_dir: Path, year: int, provinces: Iterable[str] | None) -> list[TambonTarget]:
    tambons = pd.read_csv(domain_dir / f"tpmap_{year}_tambon.csv", dtype={"tambon_code": str, "province_code": str})
    patterns = pd.read_csv(domain_dir / f"tpmap_{year}_tambon_patterns.csv", dtype={"area_code": str, "pattern_HLEIA": str})
    if provinces is not None:
        wanted = set(provinces)
        tambons = tambons[tambons["province_code"].isin(wanted)]
        patterns = patterns[patterns["area_code"].str[:2].isin(wanted)]
    by_area = {code: g for code, g in patterns.groupby("area_code")}
    indicators = [i.code for i in catalogue.indicators_for_year(year)]
    out = []
    for r in tambons.sort_values("tambon_code").itertuples(index=False):
        g = by_area.get(r.tambon_code)
        pats = {}
        if g is not None:
            for p in g.itertuples(index=False):
                if p.exact_households:
                    pats[int(p.pattern_HLEIA, 2)] = (int(p.exact_households), int(p.exact_persons), int(p.exact_target_poor))
        out.append(
            TambonTarget(
                r.tambon_code,
                int(r.jpt_households_surveyed),
                int(r.jpt_persons_surveyed),
                int(r.mof_verified_persons),
                pats,
                {c: int(getattr(r, "tp_ind_" + c.replace(".", "_"))) for c in indicators},
            )
        )
    return out


def _sizes(rng: np.random.Generator, households: int, persons: int) -> np.ndarray:
    """Household sizes summing to `persons`, each at least 1, spread like real households (mean ~ persons/households)."""
    if households == 0:
        return np.zeros(0, dtype=np.int64)
    extra = persons - households
    weights = rng.gamma(2.0, 1.0, households)
    return 1 + rng.multinomial(extra, weights / weights.sum())


ADULT = 18  # a welfare card, and a household's head, is an adult's
OLDEST = 95


def _stab(intervals: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """The members a set of scopes needs: (age from, age to, disabled) each, one member for every scope that shares
    its ages (4.1 and 3.4 are both 15-59: one member of 30 does for both; 5.2, a disabled member of any age, goes
    with any other)."""
    groups: list[tuple[int, int, bool]] = []
    for lo, hi, disabled in sorted(intervals, key=lambda x: x[1]):
        for k, (glo, ghi, gdis) in enumerate(groups):
            if lo <= ghi and glo <= hi:
                groups[k] = (max(lo, glo), min(hi, ghi), gdis or disabled)
                break
        else:
            groups.append((lo, hi, disabled))
    return groups


class _Scopes:
    """For each household, the scoped indicators chosen for it so far, and whether one more still fits its members:
    every scope needs a member, a child's scope a member of its own, and the head and each card holder an adult."""

    def __init__(self, indicators: list[catalogue.Indicator], size: np.ndarray, welfare: np.ndarray):
        self.interval = {
            i.code: (i.min_age or 0, OLDEST if i.max_age is None else i.max_age, i.disabled_member)
            for i in indicators
            if i.scoped
        }
        self.size, self.welfare = size, welfare
        self.chosen: dict[int, list[tuple[int, int, bool]]] = {}

    def fits(self, h: int, code: str) -> bool:
        if code not in self.interval:
            return True
        groups = _stab([*self.chosen.get(h, []), self.interval[code]])
        children = sum(g[1] < ADULT for g in groups)
        return children + max(int(self.welfare[h]), 1, len(groups) - children) <= self.size[h]

    def add(self, h: int, code: str) -> None:
        if code in self.interval:
            self.chosen.setdefault(h, []).append(self.interval[code])

    def members(self, h: int) -> list[tuple[int, int, bool]]:
        return _stab(self.chosen.get(h, []))


def _weighted(rng: np.random.Generator, items: list[int], weights: list[int]) -> int:
    """One of `items`, drawn in proportion to its weight."""
    u = rng.random() * sum(weights)
    for item, weight in zip(items, weights, strict=True):
        u -= weight
        if u < 0:
            return item
    return items[-1]


def _allocate_indicators(
    rng: np.random.Generator,
    welfare: np.ndarray,
    targets: dict[str, int],
    codes: list[str],
    houses: np.ndarray,
    scopes: _Scopes,
) -> list[list[str]]:
    """Give each household deprived in one dimension at least one of its indicators, so that the
    welfare members per indicator approach the published targets (greedy on the deficits), choosing
    only indicators the household can have members for (`scopes`, by its index in `houses`)."""
    n = len(welfare)
    chosen: list[list[str]] = [[] for _ in range(n)]
    got = dict.fromkeys(codes, 0)
    target = [targets.get(c, 0) for c in codes]
    order = np.argsort(-welfare, kind="stable")
    for h in order:
        w = int(welfare[h])
        options = [j for j, c in enumerate(codes) if scopes.fits(houses[h], c)]
        if not options:
            raise RuntimeError(f"no indicator of {codes} fits household {houses[h]}: see the scopes in mpi/data")
        deficit = {j: target[j] - got[codes[j]] for j in options}
        top = max(deficit.values())
        if w == 0 or not (top > 0 or sum(target) == 0):
            # No target poor here (the choice does not move the published counts), or every target met.
            j = _weighted(rng, options, [target[j] + 1 for j in options])
        else:
            best = [j for j in options if deficit[j] == top]
            j = best[rng.integers(len(best))]
        chosen[h].append(codes[j])
        scopes.add(houses[h], codes[j])
        got[codes[j]] += w
    # Second indicators where a target is still short: households that fit the remaining deficit.
    with_welfare = [h for h in order if welfare[h] > 0]
    for c in codes:
        remaining = targets.get(c, 0) - got[c]
        if remaining <= 0:
            continue
        for h in rng.permutation(with_welfare):
            w = int(welfare[h])
            if w <= remaining and c not in chosen[h] and scopes.fits(houses[h], c):
                chosen[h].append(c)
                scopes.add(houses[h], c)
                remaining -= w
                got[c] += w
                if remaining == 0:
                    break
    return chosen


def _room_for_children(pattern: np.ndarray, size: np.ndarray, cards: np.ndarray, needs: int) -> None:
    """Where every member of a poor household holds a card, move a card to a household of the same pattern with two
    or more members without one (the pattern's target poor stay as they are): a dimension whose every indicator asks
    about some members (`needs`, as dimension bits) may need a child, and a child holds no card."""
    for p in np.unique(pattern[(pattern & needs) != 0]):
        group = np.flatnonzero(pattern == p)
        full = group[(cards[group] >= size[group]) & (cards[group] > 0)]
        roomy = [h for h in group if size[h] - cards[h] >= 2]
        for h in full:
            while roomy and size[roomy[-1]] - cards[roomy[-1]] < 2:
                roomy.pop()
            if not roomy:
                break
            cards[h] -= 1
            cards[roomy[-1]] += 1


def _ages(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """Ages of the members of households of these sizes: 0 the head, 1 the spouse, 2+ children or elders."""
    n_p = int(size.sum())
    member = np.arange(n_p) - np.repeat(np.cumsum(size) - size, size)
    head_age = np.repeat(rng.integers(25, 78, len(size)), size)
    return np.where(member == 0, head_age, np.where(member == 1, _spouses(rng, head_age), _relatives(rng, head_age)))


def _spouses(rng: np.random.Generator, head_age: np.ndarray) -> np.ndarray:
    return np.clip(head_age + rng.integers(-6, 5, len(head_age)), ADULT, OLDEST)


def _relatives(rng: np.random.Generator, head_age: np.ndarray) -> np.ndarray:
    """Children of the head, born when it was 18 to 45 (not a row of newborns to a young head), or (one in five)
    its parents."""
    n = len(head_age)
    return np.where(
        rng.random(n) < 0.2,
        np.clip(head_age + rng.integers(20, 30, n), 60, 99),
        head_age - rng.integers(ADULT, np.minimum(head_age, 45) + 1),
    )


def _fit_members(
    rng: np.random.Generator, size: np.ndarray, cards: np.ndarray, scopes: _Scopes, houses: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(age, disabled, card) of every person. The households in `houses` get a member for each scope their
    indicators need (scopes.members) and an adult for each card, adults first (the first is the head), then the
    children their scopes need, then the head's spouse and relatives drawn as for any household; their cards are
    on adults. Other households' members are drawn as they come (their cards are left where they are)."""
    n_h, n_p = len(size), int(size.sum())
    age = _ages(rng, size)
    disabled = rng.random(n_p) < DISABLED_RATE
    starts = np.cumsum(size) - size
    fixed = np.zeros(n_p, dtype=bool)
    for h in houses:
        needed = scopes.members(h)
        adults = [g for g in needed if g[1] >= ADULT]
        adults += [(25, 77, False)] * (max(int(cards[h]), 1) - len(adults))
        at = starts[h]
        for lo, hi, needs_disabled in adults + [g for g in needed if g[1] < ADULT]:
            age[at] = rng.integers(max(lo, ADULT) if hi >= ADULT else lo, hi + 1)
            disabled[at] |= needs_disabled
            fixed[at] = True
            at += 1
    person_house = np.repeat(np.arange(n_h), size)
    member = np.arange(n_p) - starts[person_house]
    head_age = age[starts][person_house]
    chosen = np.zeros(n_h, dtype=bool)
    chosen[houses] = True
    redraw = chosen[person_house] & ~fixed
    spouse = redraw & (member == 1)
    age[spouse] = _spouses(rng, head_age[spouse])
    age[redraw & ~spouse] = _relatives(rng, head_age[redraw & ~spouse])
    # each chosen household's cards on its adults: rank the members, adults first in random order
    key = rng.random(n_p) + (age < ADULT)
    order = np.lexsort((key, person_house))
    rank = np.empty(n_p, dtype=np.int64)
    rank[order] = np.arange(n_p) - starts[person_house[order]]
    card = chosen[person_house] & (rank < cards[person_house])
    return age, disabled, card


def _births(rng: np.random.Generator, ref: dt.date, age: np.ndarray) -> np.ndarray:
    """Birth dates of people exactly `age` years old on `ref`: the same day `age` years before, less 0-364 days.
    (That day exists in every year: a survey date is never 29 February.)"""
    anniversary = (np.datetime64(ref, "M") - (age * 12).astype("timedelta64[M]")).astype("datetime64[D]") + (ref.day - 1)
    return anniversary - rng.integers(0, 365, len(age)).astype("timedelta64[D]")


def _villages(rng: np.random.Generator, n_h: int) -> np.ndarray:
    """Village numbers 1..n of a tambon's households, in order, every village with at least one household."""
    if not n_h:
        return np.zeros(0, dtype=np.int64)
    villages = min(25, n_h // 120 + 1)
    per_village = 1 + rng.multinomial(n_h - villages, np.full(villages, 1 / villages))
    return np.repeat(np.arange(1, villages + 1), per_village)


class PointSampler:
    """Random points inside tambon polygons (rejection sampling in the bounding box)."""

    def __init__(self, tambons_geojson: Path | None):
        self.geoms: dict[str, shapely.Geometry] = {}
        if tambons_geojson is not None and tambons_geojson.exists():
            import geopandas as gpd

            gdf = gpd.read_file(tambons_geojson, columns=["code"])
            self.geoms = dict(zip(gdf["code"].astype(str), gdf.geometry, strict=False))
            amphoes = tambons_geojson.with_name("amphoes.geojson")
            if amphoes.exists():
                a = gpd.read_file(amphoes, columns=["code"])
                self.amphoes = dict(zip(a["code"].astype(str), a.geometry, strict=False))

    amphoes: dict[str, shapely.Geometry] = {}

    def sample(self, rng: np.random.Generator, code: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        # a municipal unit (no polygon of its own): its households get points inside its amphoe
        geom = self.geoms.get(code) or self.amphoes.get(code[:4])
        if geom is None or n == 0:
            return np.full(n, np.nan), np.full(n, np.nan)
        minx, miny, maxx, maxy = geom.bounds
        shapely.prepare(geom)
        xs, ys = [], []
        have = 0
        while have < n:
            k = max(64, int((n - have) * 2.5))
            x = rng.uniform(minx, maxx, k)
            y = rng.uniform(miny, maxy, k)
            inside = shapely.contains_xy(geom, x, y)
            xs.append(x[inside])
            ys.append(y[inside])
            have += int(inside.sum())
        return np.concatenate(ys)[:n].round(6), np.concatenate(xs)[:n].round(6)


def generate_tambon(
    t: TambonTarget, year: int, seed: int, serial_start: int, points: PointSampler, indicators: list[catalogue.Indicator]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng([seed, int(t.code)])
    ref = survey_date(year)
    # Households per pattern group; pattern 0 takes the rest of the tambon.
    groups = sorted(t.patterns.items())
    poor_h = sum(v[0] for _, v in groups)
    poor_p = sum(v[1] for _, v in groups)
    poor_tp = sum(v[2] for _, v in groups)
    groups.append((0, (t.households - poor_h, t.persons - poor_p, max(t.welfare_verified - poor_tp, 0))))
    hh_pattern, hh_size, welfare_flags = [], [], []
    for group_pattern, (n_h, n_p, n_w) in groups:
        sizes = _sizes(rng, n_h, n_p)
        hh_pattern.append(np.full(n_h, group_pattern, dtype=np.int64))
        hh_size.append(sizes)
        flags = np.zeros(n_p, dtype=bool)
        if n_w:
            flags[rng.choice(n_p, size=min(n_w, n_p), replace=False)] = True
        welfare_flags.append(flags)
    pattern = np.concatenate(hh_pattern)
    size = np.concatenate(hh_size)
    welfare = np.concatenate(welfare_flags)
    n_h, n_p = len(size), int(size.sum())
    # Shuffle households so patterns do not cluster by village; persons move with their household.
    perm = rng.permutation(n_h)
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    person_idx = np.concatenate([np.arange(starts[i], starts[i] + size[i]) for i in perm]) if n_h else np.zeros(0, int)
    pattern, size, welfare = pattern[perm], size[perm], welfare[person_idx]
    house_no = np.arange(n_h)
    house_ids = np.char.add(t.code, np.char.zfill(house_no.astype(str), 6))
    village = _villages(rng, n_h)
    lat, lon = points.sample(rng, t.code, n_h)

    # Indicators first, per dimension among the households deprived in it, then members to fit them.
    hh_welfare = np.bincount(np.repeat(np.arange(n_h), size), weights=welfare, minlength=n_h).astype(int)
    all_scoped = [d for d in DIMENSIONS if all(i.scoped for i in indicators if i.dimension == d)]
    _room_for_children(pattern, size, hh_welfare, sum(DIMENSION_BIT[d] for d in all_scoped))
    scopes = _Scopes(indicators, size, hh_welfare)
    fail_house, fail_code = [], []
    for d in DIMENSIONS:
        idx = np.flatnonzero(pattern & DIMENSION_BIT[d])
        if not len(idx):
            continue
        codes = [i.code for i in indicators if i.dimension == d]
        picks = _allocate_indicators(rng, hh_welfare[idx], t.indicator_target, codes, idx, scopes)
        for h, chosen in zip(idx, picks, strict=False):
            for c in chosen:
                fail_house.append(house_ids[h])
                fail_code.append(c)
    failures = pd.DataFrame({"house_id": fail_house, "indicator": fail_code})
    poor = np.flatnonzero(pattern)
    age, disabled, poor_cards = _fit_members(rng, size, hh_welfare, scopes, poor)
    in_poor = np.repeat(pattern != 0, size)
    welfare[in_poor] = poor_cards[in_poor]
    birth = _births(rng, ref, age)
    member = np.arange(n_p) - np.repeat(np.cumsum(size) - size, size)
    head_sex = np.repeat(rng.integers(0, 2, n_h), size)
    sex = np.where(member == 0, head_sex, np.where(member == 1, 1 - head_sex, rng.integers(0, 2, n_p)))
    # Welfare cards are for adults: hand any card drawn for a child to a card-less adult of the same
    # pattern group, which keeps every calibrated count of the group (the poor households' cards are on
    # adults already, so their indicators keep their card holders).
    person_pattern = np.repeat(pattern, size)
    for p in np.unique(pattern):
        in_group = person_pattern == p
        kids = np.flatnonzero(in_group & welfare & (age < 18))
        adults = np.flatnonzero(in_group & ~welfare & (age >= 18))
        k = min(len(kids), len(adults))
        welfare[kids[:k]] = False
        welfare[rng.permutation(adults)[:k]] = True
    first = np.where(
        sex == 1,
        np.array(FEMALE_NAMES)[rng.integers(0, len(FEMALE_NAMES), n_p)],
        np.array(MALE_NAMES)[rng.integers(0, len(MALE_NAMES), n_p)],
    )
    surname = np.repeat(np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n_h)], size)
    households = pd.DataFrame(
        {"house_id": house_ids, "tambon_code": t.code, "village_no": village, "latitude": lat, "longitude": lon}
    )
    persons = pd.DataFrame(
        {
            "citizen_id": citizen_id(np.arange(serial_start, serial_start + n_p)),
            "house_id": np.repeat(house_ids, size),
            "first_name": first,
            "last_name": surname,
            "sex": np.where(sex == 1, "F", "M"),
            "birth_date": birth.astype(str),
            "welfare_card": welfare.astype(int),
            "disabled": disabled.astype(int),
        }
    )

    _vulnerable_columns(households, persons, pattern, size, age, hh_welfare, np.random.default_rng([seed, int(t.code), 6]))
    return households, persons, failures


def _vulnerable_columns(
    households: pd.DataFrame,
    persons: pd.DataFrame,
    pattern: np.ndarray,
    size: np.ndarray,
    age: np.ndarray,
    hh_welfare: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """The optional columns for vulnerable households, plausibly drawn (their own random stream, so every
    calibrated column above stays exactly as it was): farming heads, the farmer register, income, allowances."""
    n_h = len(households)
    farming = rng.random(n_h) < 0.35
    registered = np.where(farming, rng.random(n_h) < 0.8, rng.random(n_h) < 0.05)
    income = np.exp(rng.normal(np.log(90_000), 0.7, n_h)) * np.where(pattern & DIMENSION_BIT["income"], 0.35, 1.0)
    income = np.where(hh_welfare > 0, income * 0.6, income)
    households["head_farming"] = farming.astype(int)
    households["farmer_registered"] = registered.astype(int)
    households["income_per_capita"] = (np.round(income / 100) * 100).astype(int)
    poorish = np.repeat((pattern != 0) | (hh_welfare > 0), size)
    disabled = persons["disabled"].to_numpy() == 1
    persons["old_age_allowance"] = np.where(age >= 60, rng.random(len(age)) < 0.9, False).astype(int)
    persons["disability_allowance"] = np.where(disabled, rng.random(len(age)) < 0.8, False).astype(int)
    persons["chronic_dependent"] = (rng.random(len(age)) < np.where(age >= 70, 0.05, 0.005)).astype(int)
    child = (age >= 3) & (age <= 15)
    persons["moe_poor_child"] = (child & (rng.random(len(age)) < np.where(poorish, 0.3, 0.02))).astype(int)


def generate(
    year: int,
    out_dir: Path,
    domain_dir: Path,
    geo_dir: Path | None,
    provinces: Iterable[str] | None,
    seed: int = 2561,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write households.csv, persons.csv and failures.csv for the chosen provinces (None = all)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = load_targets(domain_dir, year, provinces)
    points = PointSampler(geo_dir / "tambons.geojson" if geo_dir else None)
    indicators = list(catalogue.indicators_for_year(year))
    files = {n: open(out_dir / n, "w", encoding="utf-8", newline="") for n in ("households.csv", "persons.csv", "failures.csv")}
    counts = dict.fromkeys(files, 0)
    # Each tambon owns a block of SERIAL_BLOCK IDs by its rank among all published tambons, so a
    # tambon gets the same IDs whichever provinces are generated with it.
    all_codes = pd.read_csv(domain_dir / f"tpmap_{year}_tambon.csv", dtype={"tambon_code": str}, usecols=["tambon_code"])
    serial_base = {c: 1 + i * SERIAL_BLOCK for i, c in enumerate(sorted(all_codes["tambon_code"]))}
    try:
        first = True
        for k, t in enumerate(targets):
            hh, pp, ff = generate_tambon(t, year, seed, serial_base[t.code], points, indicators)
            for name, frame in (("households.csv", hh), ("persons.csv", pp), ("failures.csv", ff)):
                frame.to_csv(
                    files[name], header=first, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, float_format="%.6f"
                )
                counts[name] += len(frame)
            first = False
            if progress:
                progress(k + 1, len(targets))
    finally:
        for f in files.values():
            f.close()
    return counts
