"""Synthetic agencies' registers for the demo (issue 33), drawn from a synthetic survey edition's people.

`generate(survey_dir, year, out_dir)` writes one CSV per register in the format mpi/data/registers.json declares, with
plausible coverage: the old-age allowance reaches most people of 60 and over but fewer of the target poor (the gap the
committee looks for), the disability allowance most disabled people, the equity grant part of the children of poor
households, Farmer ONE a member of most households whose head farms, and the welfare card every holder. Each register
also holds a few IDs that do not link: people of Bangkok (outside the surveyed provinces) and people of the surveyed
provinces whom the survey did not find. Nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from mpi.editions import survey_date
from mpi.rules import citizen_id_check_digit

# the date each register is as of: a few months after the edition's survey (the Logbook of 2568 shows such dates)
AS_OF_DAYS = {
    "welfare_card": 60,
    "old_age_allowance": 90,
    "disability_allowance": 90,
    "eef_poor_student": 120,
    "farmer_register": 150,
}
COVERAGE = {  # share on the register: (target poor, everyone else)
    "old_age_allowance": (0.78, 0.93),
    "disability_allowance": (0.70, 0.85),
    "eef_poor_student": (0.55, 0.04),
    "farmer_register": (0.75, 0.85),
}
UNLINKED = 12  # IDs per register and place that do not link


def as_of(key: str, year: int) -> dt.date:
    return min(survey_date(year) + dt.timedelta(days=AS_OF_DAYS[key]), dt.date.today())


def _stranger_ids(office: str, n: int, start: int) -> list[str]:
    """Valid citizen IDs issued by an amphoe office, from a serial range the synthetic population never uses."""
    out = []
    for i in range(n):
        first12 = f"3{office}{start + i:07d}"
        out.append(first12 + str(citizen_id_check_digit(first12)))
    return out


def _people(survey_dir: Path, year: int) -> pd.DataFrame:
    persons = pd.read_csv(survey_dir / "persons.csv", dtype=str, keep_default_na=False)
    households = pd.read_csv(survey_dir / "households.csv", dtype=str, keep_default_na=False)
    failing = set(pd.read_csv(survey_dir / "failures.csv", dtype=str)["house_id"])
    df = persons.merge(households[["house_id", "tambon_code", *[c for c in ["head_farming"] if c in households]]], on="house_id")
    on = survey_date(year)
    born = pd.to_datetime(df["birth_date"]).dt.date
    df["age"] = [on.year - b.year - ((on.month, on.day) < (b.month, b.day)) for b in born]
    df["poor"] = df["house_id"].isin(failing) & (df["welfare_card"] == "1")
    return df


def _covered(rng: np.random.Generator, df: pd.DataFrame, eligible: pd.Series, key: str) -> pd.DataFrame:
    poor_rate, other_rate = COVERAGE[key]
    draw = rng.random(len(df))
    return df[eligible & (draw < np.where(df["poor"], poor_rate, other_rate))]


def _strangers(df: pd.DataFrame, key: str, offset: int) -> pd.DataFrame:
    """Rows that do not link: Bangkok (Phra Nakhon's office), and people of a surveyed province the survey missed."""
    tambon = df["tambon_code"].iloc[0]
    ids = _stranger_ids("1001", UNLINKED, offset) + _stranger_ids(tambon[:4], UNLINKED, offset)
    return pd.DataFrame({"citizen_id": ids, "tambon_code": [""] * UNLINKED + [tambon] * UNLINKED})


def generate(survey_dir: Path, year: int, out_dir: Path, seed: int = 33) -> dict[str, tuple[Path, dt.date]]:
    """One CSV per register: key → (file, as-of date)."""
    rng = np.random.default_rng(seed)
    df = _people(Path(survey_dir), year)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[Path, dt.date]] = {}

    def write(key: str, frame: pd.DataFrame) -> None:
        path = out_dir / f"{key}.csv"
        frame.to_csv(path, index=False, lineterminator="\n")
        files[key] = (path, as_of(key, year))

    cards = df[df["welfare_card"] == "1"]
    write("welfare_card", pd.DataFrame({"citizen_id": cards["citizen_id"], "card_round": "2565"}))
    old = pd.concat([_covered(rng, df, df["age"] >= 60, "old_age_allowance"), _strangers(df, "old", 1_000_000)])
    age = old["age"].fillna(60).astype(int)
    # the allowance rises with age: 600 baht a month from 60, 700 from 70, 800 from 80, 1,000 from 90
    old_amount = np.select([age >= 90, age >= 80, age >= 70], ["1000", "800", "700"], "600")
    write(
        "old_age_allowance",
        pd.DataFrame(
            {"citizen_id": old["citizen_id"], "monthly_amount": old_amount, "tambon_code": old["tambon_code"].fillna("")}
        ),
    )
    dis = pd.concat([_covered(rng, df, df["disabled"] == "1", "disability_allowance"), _strangers(df, "dis", 2_000_000)])
    write(
        "disability_allowance",
        pd.DataFrame({"citizen_id": dis["citizen_id"], "monthly_amount": "800", "tambon_code": dis["tambon_code"].fillna("")}),
    )
    kids = _covered(rng, df, df["age"].between(6, 14), "eef_poor_student")
    screened = as_of("eef_poor_student", year) - dt.timedelta(days=30)
    write("eef_poor_student", pd.DataFrame({"citizen_id": kids["citizen_id"], "screened_on": screened.isoformat()}))
    if "head_farming" in df:
        farming = df[df["head_farming"] == "1"].drop_duplicates("house_id")  # one member (the first) of each household
        farmers = _covered(rng, farming, pd.Series(True, index=farming.index), "farmer_register")
        write("farmer_register", pd.DataFrame({"citizen_id": farmers["citizen_id"]}))
    return files
