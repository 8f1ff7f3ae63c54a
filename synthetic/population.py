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
from mpi.rules import DIMENSION_BIT, DIMENSIONS

SURVEY_REFERENCE_DATE = {2561: dt.date(2017, 7, 1)}  # TPMAP 2561 = jpt survey of 2560 BE
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


def _allocate_indicators(
    rng: np.random.Generator, welfare: np.ndarray, targets: dict[str, int], codes: list[str]
) -> list[list[str]]:
    """Give each household deprived in one dimension at least one of its indicators, so that the
    welfare members per indicator approach the published targets (greedy on the deficits)."""
    n = len(welfare)
    chosen: list[list[str]] = [[] for _ in range(n)]
    got = dict.fromkeys(codes, 0)
    t = np.array([targets.get(c, 0) for c in codes], dtype=float)
    order = np.argsort(-welfare, kind="stable")
    for h in order:
        w = int(welfare[h])
        if w == 0:
            # No target poor here: the choice does not move the published counts.
            p = (t + 1) / (t + 1).sum()
            chosen[h].append(codes[rng.choice(len(codes), p=p)])
            continue
        deficits = np.array([targets.get(c, 0) - got[c] for c in codes], dtype=float)
        best = np.flatnonzero(deficits == deficits.max())
        c = (
            codes[best[rng.integers(len(best))]]
            if deficits.max() > 0 or t.sum() == 0
            else codes[rng.choice(len(codes), p=(t + 1) / (t + 1).sum())]
        )
        chosen[h].append(c)
        got[c] += w
    # Second indicators where a target is still short: households that fit the remaining deficit.
    with_welfare = [h for h in order if welfare[h] > 0]
    for c in codes:
        remaining = targets.get(c, 0) - got[c]
        if remaining <= 0:
            continue
        for h in rng.permutation(with_welfare):
            w = int(welfare[h])
            if w <= remaining and c not in chosen[h]:
                chosen[h].append(c)
                remaining -= w
                got[c] += w
                if remaining == 0:
                    break
    return chosen


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
    t: TambonTarget, year: int, seed: int, serial_start: int, points: PointSampler, dimension_codes: dict[str, list[str]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng([seed, int(t.code)])
    ref = SURVEY_REFERENCE_DATE.get(year, dt.date(year - 544, 7, 1))
    # Households per pattern group; pattern 0 takes the rest of the tambon.
    groups = sorted(t.patterns.items())
    poor_h = sum(v[0] for _, v in groups)
    poor_p = sum(v[1] for _, v in groups)
    poor_tp = sum(v[2] for _, v in groups)
    groups.append((0, (t.households - poor_h, t.persons - poor_p, max(t.welfare_verified - poor_tp, 0))))
    hh_pattern, hh_size, welfare_flags = [], [], []
    for pattern, (n_h, n_p, n_w) in groups:
        sizes = _sizes(rng, n_h, n_p)
        hh_pattern.append(np.full(n_h, pattern, dtype=np.int64))
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
    villages = max(1, min(25, n_h // 120 + 1))
    village = np.sort(rng.integers(1, villages + 1, n_h))
    lat, lon = points.sample(rng, t.code, n_h)

    # Members: 0 head, 1 spouse, 2+ children or elders.
    member = np.arange(n_p) - np.repeat(np.concatenate([[0], np.cumsum(size)[:-1]]), size)
    head_age = np.repeat(rng.integers(25, 78, n_h), size)
    age = np.where(
        member == 0,
        head_age,
        np.where(
            member == 1,
            np.clip(head_age + rng.integers(-6, 5, n_p), 18, 95),
            np.where(
                rng.random(n_p) < 0.2,
                np.clip(head_age + rng.integers(20, 30, n_p), 60, 99),
                np.clip(head_age - rng.integers(20, 40, n_p), 0, 60),
            ),
        ),
    )
    head_sex = np.repeat(rng.integers(0, 2, n_h), size)
    sex = np.where(member == 0, head_sex, np.where(member == 1, 1 - head_sex, rng.integers(0, 2, n_p)))
    birth = np.datetime64(ref) - (age * 365.25).astype("timedelta64[D]") - rng.integers(0, 365, n_p).astype("timedelta64[D]")
    # Welfare cards are for adults: hand any card drawn for a child to a card-less adult of the same
    # pattern group, which keeps every calibrated count of the group.
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
            "birth_date": birth.astype("datetime64[D]").astype(str),
            "welfare_card": welfare.astype(int),
            "disabled": (rng.random(n_p) < 0.015).astype(int),
        }
    )

    # Indicators: per dimension, among households deprived in it.
    hh_welfare = np.bincount(np.repeat(np.arange(n_h), size), weights=welfare, minlength=n_h).astype(int)
    fail_house, fail_code = [], []
    for d in DIMENSIONS:
        idx = np.flatnonzero(pattern & DIMENSION_BIT[d])
        if not len(idx):
            continue
        codes = dimension_codes[d]
        picks = _allocate_indicators(rng, hh_welfare[idx], t.indicator_target, codes)
        for h, chosen in zip(idx, picks, strict=False):
            for c in chosen:
                fail_house.append(house_ids[h])
                fail_code.append(c)
    failures = pd.DataFrame({"house_id": fail_house, "indicator": fail_code})
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
    dimension_codes: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    for i in catalogue.indicators_for_year(year):
        dimension_codes[i.dimension].append(i.code)
    files = {n: open(out_dir / n, "w", encoding="utf-8", newline="") for n in ("households.csv", "persons.csv", "failures.csv")}
    counts = dict.fromkeys(files, 0)
    # Each tambon owns a block of SERIAL_BLOCK IDs by its rank among all published tambons, so a
    # tambon gets the same IDs whichever provinces are generated with it.
    all_codes = pd.read_csv(domain_dir / f"tpmap_{year}_tambon.csv", dtype={"tambon_code": str}, usecols=["tambon_code"])
    serial_base = {c: 1 + i * SERIAL_BLOCK for i, c in enumerate(sorted(all_codes["tambon_code"]))}
    try:
        first = True
        for k, t in enumerate(targets):
            hh, pp, ff = generate_tambon(t, year, seed, serial_base[t.code], points, dimension_codes)
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
