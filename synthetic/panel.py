"""The next edition of a synthetic population: the same households and people one survey later.

`evolve(previous_dir, year, out_dir)` reads an edition written by synthetic.population (or by an earlier
evolve) and writes the next one in the same import format. Households and people who stay keep their
`house_id` and citizen ID, so the platform can follow them. Between the two surveys, at the rates below:

- people die (DEATH_RATE, higher above 70) and babies are born to households with a woman of 18-45 (BIRTH_RATE),
  with new IDs from a range of the tambon's block that no first edition uses;
- a few households move to another tambon of their province (MOVE_RATE): their people keep their IDs, the
  household gets a new house_id there (house registration is per address) and one of its villages;
- poor households leave poverty (EXIT_RATE), non-poor households with a welfare-card holder fall into it (with a
  pattern drawn from the province's poor households), and some poor households change their pattern of
  deprivations (PATTERN_CHANGE_RATE).

Entries are calibrated per province so that the target poor change by the ratio of the country's published
totals between the two editions (1,032,987 in 2561 → 983,316 in 2562: -4.8 %), moved for each province by a fixed
amount of its own (province_ratio: up to ±12 %, averaging out over the country); where the shared file has no pair
of totals the ratio is 1. Where a population covers the whole country its target poor therefore follow the
published totals. Ages are counted on the edition's survey date: a failure whose household no longer has anybody
in the indicator's scope (a child grown out of 3.2, an elder who died) moves to an indicator of the same dimension
the household has members for, or goes. Nothing here reads the database: outcomes never depend on Logbook records, so a comparison
between teams that helped and teams that did not cannot be made true by construction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mpi import catalogue
from mpi.calendar import years_before
from mpi.editions import survey_date
from mpi.rules import DIMENSION_BIT, DIMENSIONS
from synthetic.population import FEMALE_NAMES, MALE_NAMES, SERIAL_BLOCK, PointSampler, citizen_id

DEATH_RATE = 0.004  # a year, under 70
DEATH_RATE_OLD = 0.04  # a year, 70 and over
BIRTH_RATE = 0.06  # births a year per household with a woman of 18-45
MOVE_RATE = 0.01  # households a year moving to another tambon of the province
EXIT_RATE = 0.30  # poor households whose deprivations are all resolved by the next edition
PATTERN_CHANGE_RATE = 0.10  # poor households that stay poor with one dimension more or fewer
BIRTH_SERIAL_OFFSET = 100_000  # births use serials above every first edition's (the largest tambon has ~91,000)
BIRTHS_PER_YEAR_BLOCK = 2_000  # serials per tambon per edition for births
FILES = ("households.csv", "persons.csv", "failures.csv")


PROVINCE_SPREAD = 0.12  # how far a province's own change strays from the country's, at most (either way)


def province_ratio(ratio: float, province: str) -> float:
    """A province's own change between editions: the country's ratio, moved by a fixed amount of its own (up to
    ±PROVINCE_SPREAD, the same for a province whatever the seed, spread evenly over the provinces by a hash of
    the code, so they average out to the country's). Every demo province falling by exactly the national -4.8 %
    read as made up; real provinces moved from -20 % to +10 %."""
    share = int(hashlib.sha256(province.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF  # 0..1, fixed per code
    return ratio * (1 + PROVINCE_SPREAD * (2 * share - 1))


def published_ratio(domain_dir: Path, year_from: int, year_to: int) -> float:
    """target poor of `year_to` / of `year_from` in the country's published totals; 1 when either is missing."""
    totals: dict[int, int] = {}
    with open(domain_dir / "tpmap_national_totals.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["target_poor_persons"].strip():
                totals[int(r["tpmap_year_label_be"])] = int(r["target_poor_persons"])
    if year_from in totals and year_to in totals:
        return totals[year_to] / totals[year_from]
    return 1.0


def _read(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # every column as the text it is (blank stays blank, 1 stays 1, not 1.0): the next edition is written back
    return tuple(pd.read_csv(folder / name, dtype=str, keep_default_na=False) for name in FILES)


def _patterns(failures: pd.DataFrame, dims_of: dict[str, str]) -> pd.Series:
    bits = failures["indicator"].map(lambda c: DIMENSION_BIT[dims_of[c]])
    return bits.groupby(failures["house_id"]).agg(lambda b: int(np.bitwise_or.reduce(b.to_numpy())))


def evolve(
    previous_dir: Path,
    year: int,
    out_dir: Path,
    domain_dir: Path,
    geo_dir: Path | None = None,
    provinces: Iterable[str] | None = None,
    seed: int = 2562,
) -> dict[str, int]:
    """Write the edition `year` of the population in `previous_dir`; rows written per file."""
    hh, pp, ff = _read(Path(previous_dir))
    if provinces is not None:
        wanted = tuple(provinces)
        hh = hh[hh["tambon_code"].str[:2].isin(wanted)]
        pp = pp[pp["house_id"].isin(hh["house_id"])]
        ff = ff[ff["house_id"].isin(hh["house_id"])]
    rng = np.random.default_rng([seed, year])
    indicators = catalogue.indicators_for_year(year)
    dims_of = {i.code: i.dimension for i in indicators}
    ref = survey_date(year)

    # the previous edition's target poor per province: the base the published ratio applies to
    poor_before = set(_patterns(ff, dims_of).pipe(lambda p: p[p != 0]).index)
    carded = pp[(pp["welfare_card"].astype(int) == 1) & pp["house_id"].isin(poor_before)]
    province_of = dict(zip(hh["house_id"], hh["tambon_code"].str[:2], strict=True))
    tp_before: dict[str, int] = carded["house_id"].map(province_of).value_counts().to_dict()

    pp = _deaths_and_births(hh, pp, year, domain_dir, rng)
    hh = hh[hh["house_id"].isin(pp["house_id"])].copy()  # a household whose people all died has left
    hh, pp, ff = _moves(hh, pp, ff, year, geo_dir, rng)

    # --- poverty: exits, pattern changes, calibrated entries ---
    house = hh["house_id"].to_numpy()
    members = _members_in_scope(pp, house, indicators, ref)
    feasible = _feasible_dimensions(members, indicators, len(house))
    new_pattern = _new_patterns(hh, pp, ff, dims_of, feasible, tp_before, domain_dir, year, rng)
    ff = _failures_for(ff, house, new_pattern, members, indicators, rng)

    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, frame in zip(FILES, (hh, pp, ff), strict=True):
        frame.to_csv(out_dir / name, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, float_format="%.6f")
        counts[name] = len(frame)
    return counts


def _deaths_and_births(hh: pd.DataFrame, pp: pd.DataFrame, year: int, domain_dir: Path, rng: np.random.Generator) -> pd.DataFrame:
    """The people of the next edition: some die, babies are born to households with a woman of 18-45."""
    ref = survey_date(year)
    before = years_before(ref, 1)
    born = pd.to_datetime(pp["birth_date"])
    age = (pd.Timestamp(ref) - born).dt.days / 365.25
    dies = rng.random(len(pp)) < np.where(age >= 70, DEATH_RATE_OLD, DEATH_RATE)
    pp = pp[~dies].copy()
    age = age[~dies]
    mothers = pp[(pp["sex"] == "F") & (age.between(18, 45))].drop_duplicates("house_id")
    births = mothers[rng.random(len(mothers)) < BIRTH_RATE]
    serial_base = _serial_base(domain_dir, set(hh["tambon_code"]))
    new_people = []
    count_by_tambon: dict[str, int] = {}
    tambon_of = dict(zip(hh["house_id"], hh["tambon_code"], strict=True))
    for _, m in births.iterrows():
        t = tambon_of[m["house_id"]]
        k = count_by_tambon.get(t, 0)
        if k >= BIRTHS_PER_YEAR_BLOCK:
            continue
        count_by_tambon[t] = k + 1
        serial = serial_base[t] + BIRTH_SERIAL_OFFSET + (year - 2562) % 5 * BIRTHS_PER_YEAR_BLOCK + k
        sex = "F" if rng.random() < 0.49 else "M"
        day = before + dt.timedelta(days=1 + int(rng.integers(0, 365)))  # after the last survey, by this one
        new_people.append(
            {
                "citizen_id": str(citizen_id(np.array([serial]))[0]),
                "house_id": m["house_id"],
                "first_name": str(rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES)),
                "last_name": m["last_name"],
                "sex": sex,
                "birth_date": day.isoformat(),
                "welfare_card": "0",
                "disabled": "0",
            }
        )
    if new_people:
        pp = pd.concat([pp, pd.DataFrame(new_people)], ignore_index=True)
    return pp


def _moves(
    hh: pd.DataFrame, pp: pd.DataFrame, ff: pd.DataFrame, year: int, geo_dir: Path | None, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Households moving to another tambon of their province, under a new house_id (copies; the frames given
    are left as they are)."""
    hh, pp = hh.copy(), pp.copy()
    points = PointSampler(geo_dir / "tambons.geojson" if geo_dir else None)
    tambons_by_province: dict[str, list[str]] = {}
    for t in sorted(set(hh["tambon_code"])):
        tambons_by_province.setdefault(t[:2], []).append(t)
    villages_of = {t: sorted(set(g.astype(int))) for t, g in hh.groupby("tambon_code")["village_no"]}
    movers = hh.index[rng.random(len(hh)) < MOVE_RATE]
    renamed: dict[str, str] = {}
    moved_into: dict[str, int] = {}
    for i in movers:
        old_t = hh.at[i, "tambon_code"]
        choices = [t for t in tambons_by_province[old_t[:2]] if t != old_t]
        if not choices:
            continue
        new_t = str(rng.choice(choices))
        k = moved_into.get(new_t, 0)
        if k >= 1000:
            continue
        moved_into[new_t] = k + 1
        new_id = f"{new_t}9{year % 100:02d}{k:03d}"
        renamed[hh.at[i, "house_id"]] = new_id
        hh.at[i, "house_id"], hh.at[i, "tambon_code"] = new_id, new_t
        hh.at[i, "village_no"] = str(rng.choice(villages_of[new_t]))
        lat, lon = points.sample(rng, new_t, 1)
        hh.at[i, "latitude"], hh.at[i, "longitude"] = ("", "") if np.isnan(lat[0]) else (f"{lat[0]:.6f}", f"{lon[0]:.6f}")
    if renamed:  # (Series.replace with a large dict is quadratic; a lookup is not)
        pp["house_id"] = pp["house_id"].map(lambda h: renamed.get(h, h))
        ff = ff.assign(house_id=ff["house_id"].map(lambda h: renamed.get(h, h)))
    ff = ff[ff["house_id"].isin(hh["house_id"])]
    return hh, pp, ff


def _new_patterns(
    hh: pd.DataFrame,
    pp: pd.DataFrame,
    ff: pd.DataFrame,
    dims_of: dict[str, str],
    feasible: np.ndarray,
    tp_before: dict[str, int],
    domain_dir: Path,
    year: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Each household's deprivation pattern in the new edition (in the order of `hh`): exits, pattern changes,
    and entries calibrated per province to the published ratio."""
    pattern = _patterns(ff, dims_of).reindex(hh["house_id"]).fillna(0).astype(int).to_numpy()
    welfare = pp.assign(w=pp["welfare_card"].astype(int)).groupby("house_id")["w"].sum().reindex(hh["house_id"]).fillna(0)
    welfare = welfare.astype(int).to_numpy()
    poor = pattern != 0
    new_pattern = pattern.copy()
    exits = poor & (rng.random(len(hh)) < EXIT_RATE)
    new_pattern[exits] = 0
    change = poor & ~exits & (rng.random(len(hh)) < PATTERN_CHANGE_RATE)
    for i in np.flatnonzero(change):
        bit = int(rng.choice([DIMENSION_BIT[d] for d in DIMENSIONS]))
        flipped = new_pattern[i] ^ bit
        new_pattern[i] = flipped if flipped else new_pattern[i]
    new_pattern &= feasible  # a deprivation nobody in the household can have any more is over
    province = hh["tambon_code"].str[:2].to_numpy()
    ratio = published_ratio(domain_dir, _previous_edition(domain_dir, year), year)
    for p in np.unique(province):
        here = province == p
        target = int(round(tp_before.get(p, 0) * province_ratio(ratio, p)))
        have = int(welfare[here & (new_pattern != 0)].sum())
        pool = np.flatnonzero(here & ~poor & (welfare > 0))
        rng.shuffle(pool)
        # a household falling into poverty takes a pattern drawn from the province's poor households of the
        # previous edition, so the mix of deprivations (and the crisis share) stays the province's own
        patterns_here = pattern[here & poor]
        for i in pool:
            if have >= target:
                break
            drawn = int(rng.choice(patterns_here)) if len(patterns_here) else DIMENSION_BIT["income"]
            if drawn & feasible[i]:
                new_pattern[i] = drawn & feasible[i]
                have += int(welfare[i])
    return new_pattern


def _failures_for(
    ff: pd.DataFrame,
    house: np.ndarray,
    new_pattern: np.ndarray,
    members: dict[str, np.ndarray],
    indicators: Sequence[catalogue.Indicator],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Failures follow the new patterns: kept where the dimension stays, drawn where it is new."""
    dims_of = {i.code: i.dimension for i in indicators}
    codes_of = {d: [i.code for i in indicators if i.dimension == d] for d in DIMENSIONS}
    keep = ff["house_id"].map(dict(zip(house, new_pattern, strict=True))).fillna(0).astype(int)
    bit = ff["indicator"].map(lambda c: DIMENSION_BIT[dims_of[c]])
    ff = ff[(keep & bit) != 0]
    had = _patterns(ff, dims_of).reindex(house).fillna(0).astype(int).to_numpy()
    extra_house, extra_code = [], []
    for i in np.flatnonzero(new_pattern & ~had):
        for d in DIMENSIONS:
            if new_pattern[i] & DIMENSION_BIT[d] and not had[i] & DIMENSION_BIT[d]:
                extra_house.append(house[i])
                extra_code.append(str(rng.choice([c for c in codes_of[d] if c not in members or members[c][i]])))
    if extra_house:
        ff = pd.concat([ff, pd.DataFrame({"house_id": extra_house, "indicator": extra_code})], ignore_index=True)
    return _keep_to_scopes(ff, house, members, indicators, rng)


def _members_in_scope(
    pp: pd.DataFrame, house: np.ndarray, indicators: Iterable[catalogue.Indicator], ref: dt.date
) -> dict[str, np.ndarray]:
    """For each scoped indicator, whether each household (in the order of `house`) has a member within its scope on
    `ref`."""
    born = pd.to_datetime(pp["birth_date"])
    at = pd.Index(house).get_indexer(pp["house_id"])
    out = {}
    for ind in indicators:
        if not ind.scoped:
            continue
        after, by = ind.born_range(ref, ref)
        fits = pp["disabled"].astype(str) == "1" if ind.disabled_member else pd.Series(True, index=pp.index)
        if after is not None:
            fits &= born > pd.Timestamp(after)
        if by is not None:
            fits &= born <= pd.Timestamp(by)
        has = np.zeros(len(house), dtype=bool)
        has[at[fits.to_numpy() & (at >= 0)]] = True
        out[ind.code] = has
    return out


def _feasible_dimensions(members: dict[str, np.ndarray], indicators: Iterable[catalogue.Indicator], n: int) -> np.ndarray:
    """For each household, the dimension bits it can be deprived in: those with an indicator it has members for."""
    out = np.zeros(n, dtype=np.int64)
    for i in indicators:
        out |= np.where(members[i.code] if i.code in members else True, DIMENSION_BIT[i.dimension], 0)
    return out


def _keep_to_scopes(
    ff: pd.DataFrame,
    house: np.ndarray,
    members: dict[str, np.ndarray],
    indicators: Iterable[catalogue.Indicator],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Every failure on a household with a member in its indicator's scope: one without moves to another indicator
    of the dimension that has, or goes."""
    indicators = list(indicators)
    at = pd.Index(house).get_indexer(ff["house_id"])
    ok = np.ones(len(ff), dtype=bool)
    for code, has in members.items():
        ok &= (ff["indicator"] != code).to_numpy() | has[at]
    if ok.all():
        return ff
    dimension_of = {i.code: i.dimension for i in indicators}
    bad = ff.loc[~ok, ["house_id", "indicator"]]
    listed = ff[ff["house_id"].isin(bad["house_id"])].groupby("house_id")["indicator"].agg(set).to_dict()
    moved = []
    for (hid, code), h in zip(bad.itertuples(index=False), at[~ok], strict=True):
        options = [
            i.code
            for i in indicators
            if i.dimension == dimension_of[code] and i.code not in listed[hid] and (i.code not in members or members[i.code][h])
        ]
        if options:
            new = str(rng.choice(options))
            listed[hid].add(new)
            moved.append({"house_id": hid, "indicator": new})
    return pd.concat([ff[ok], pd.DataFrame(moved, columns=["house_id", "indicator"])], ignore_index=True)


def _published_years(domain_dir: Path) -> set[int]:
    with open(domain_dir / "tpmap_national_totals.csv", encoding="utf-8", newline="") as f:
        return {int(r["tpmap_year_label_be"]) for r in csv.DictReader(f) if r["target_poor_persons"].strip()}


def _previous_edition(domain_dir: Path, year: int) -> int:
    """The published edition before `year` (the one a panel's previous output most likely is)."""
    earlier = [y for y in _published_years(domain_dir) if y < year]
    return max(earlier) if earlier else year - 1


def _serial_base(domain_dir: Path, used: set[str]) -> dict[str, int]:
    """Each tambon's block of serials, as synthetic.population assigns them; a unit the published file does not
    list (a test's or a municipal code) gets a block after all of them, so no two units ever share serials."""
    codes = pd.read_csv(domain_dir / "tpmap_2561_tambon.csv", dtype={"tambon_code": str}, usecols=["tambon_code"])
    known = sorted(codes["tambon_code"])
    base = {c: 1 + i * SERIAL_BLOCK for i, c in enumerate(known)}
    for j, c in enumerate(sorted(used - set(base))):
        base[c] = 1 + (len(known) + j) * SERIAL_BLOCK
    return base
