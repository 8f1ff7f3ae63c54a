"""Small, deterministic survey folders in the pinned import format, for tests."""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from mpi import catalogue
from mpi.editions import survey_period
from mpi.rules import citizen_id_check_digit

INDICATORS = [
    "1.1",
    "1.2",
    "1.3",
    "1.4",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "3.1",
    "3.2",
    "3.3",
    "3.4",
    "4.1",
    "4.2",
    "4.3",
    "5.1",
    "5.2",
]
# Real tambons in two provinces: Samut Songkhram (75) and Mae Hong Son (58), several amphoes each.
TAMBONS = ["750101", "750102", "750103", "750201", "750202", "750301", "580101", "580102", "580201", "580301"]


def make_citizen_id(serial: int) -> str:
    first12 = f"9{serial:011d}"
    return first12 + str(citizen_id_check_digit(first12))


@dataclass
class Survey:
    households: list[dict] = field(default_factory=list)
    persons: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)

    def write(self, folder: Path, encoding: str = "utf-8") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows, cols in (
            ("households.csv", self.households, ["house_id", "tambon_code", "village_no", "latitude", "longitude"]),
            (
                "persons.csv",
                self.persons,
                ["citizen_id", "house_id", "first_name", "last_name", "sex", "birth_date", "welfare_card", "disabled"],
            ),
            ("failures.csv", self.failures, ["house_id", "indicator"]),
        ):
            # optional columns (vulnerable households) are written when the rows carry them
            cols = cols + [k for k in (rows[0] if rows else {}) if k not in cols]
            with open(folder / name, "w", encoding=encoding, newline="") as f:
                w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
                w.writeheader()
                w.writerows(rows)
        return folder


def _plausible(code: str, members: list[dict], years: list[int]) -> bool:
    """Whether the household can fail the indicator in every one of `years`: someone within its scope (mpi/data)
    during each year's survey, as the import checks it."""
    ind = next(i for i in catalogue.indicators_for_year(years[0]) if i.code == code)
    born = [(dt.date.fromisoformat(m["birth_date"]), m["disabled"] == "1") for m in members]
    return not ind.scoped or all(any(ind.covers(b, d, *survey_period(y)) for b, d in born) for y in years)


def make_survey(n_households: int = 300, seed: int = 7, tambons: list[str] | None = None, year: int | None = None) -> Survey:
    """A survey importable as `year`, or as any year of the catalogue (None): everybody is born before the earliest
    survey date, and a household fails an indicator asked about some members only where it has such a member."""
    years = [year] if year else catalogue.known_years()
    rng = random.Random(seed)
    tambons = tambons or TAMBONS
    s = Survey()
    serial = 0
    for h in range(n_households):
        house_id = f"H{h:05d}"
        tambon = tambons[h % len(tambons)]
        with_point = rng.random() < 0.5
        s.households.append(
            {
                "house_id": house_id,
                "tambon_code": tambon,
                "village_no": rng.randint(1, 12),
                "latitude": f"{rng.uniform(13.3, 13.5):.5f}" if with_point else "",
                "longitude": f"{rng.uniform(99.9, 100.0):.5f}" if with_point else "",
            }
        )
        members = []
        for _ in range(rng.randint(1, 6)):
            serial += 1
            s.persons.append(
                {
                    "citizen_id": make_citizen_id(serial),
                    "house_id": house_id,
                    "first_name": rng.choice(["สมชาย", "สมศรี", "มาลี", "ประยุทธ", "บุญมี"]),
                    "last_name": rng.choice(["ใจดี", "มีสุข", "ทองคำ", "แสงจันทร์"]),
                    "sex": rng.choice("MF"),
                    "birth_date": (dt.date(1935, 1, 1) + dt.timedelta(days=rng.randint(0, 30000))).isoformat(),
                    "welfare_card": "1" if rng.random() < 0.35 else "0",
                    "disabled": "1" if rng.random() < 0.05 else "0",
                }
            )
            members.append(s.persons[-1])
        # Most households pass everything; some fail 1-4 indicators, a few many.
        r = rng.random()
        n_fail = 0 if r < 0.45 else 1 if r < 0.7 else 2 if r < 0.85 else rng.randint(3, 8)
        for code in rng.sample(INDICATORS, n_fail):
            if _plausible(code, members, years):
                s.failures.append({"house_id": house_id, "indicator": code})
    return s
