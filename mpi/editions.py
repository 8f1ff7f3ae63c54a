"""TPMAP editions: one per survey year, each with its own basis and its own definition of "target poor".

An edition is labelled by its TPMAP year (Buddhist era). It rests on the จปฐ. survey of the year before and on a
round of the state welfare-card register (TPMAP-DOMAIN.md §2, tpmap_national_totals.csv). Up to 2566 a target-poor
person is MPI-poor (the household fails an indicator) *and* registered for the welfare card; from 2567 TPMAP counts
the MPI-poor whether registered or not, and offers a "no card" view. What the sources do not say is None here,
never guessed: 2562's survey basis is not stated, and the indicator set of the new จปฐ. instrument (2566 onwards)
is not known to this project, so those editions' indicators are not comparable with 2561's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mpi import catalogue
from mpi.calendar import BE_OFFSET
from mpi.rules import ALL_POOR, REGISTERED, check_definition

MPI_AND_CARD = "mpi_and_card"  # MPI-poor and registered for the state welfare card (up to 2566)
MPI_ONLY = "mpi"  # MPI-poor, registered or not (2567 onwards; "no card" = nobody in the household holds one)
DEFINITIONS = (MPI_AND_CARD, MPI_ONLY)


@dataclass(frozen=True)
class Edition:
    year: int  # the TPMAP label, Buddhist era
    survey_year: int | None  # the จปฐ. survey it rests on (BE); None where the source does not say
    welfare_basis: str | None  # the welfare-card round or register, as the source words it
    definition: str  # MPI_AND_CARD or MPI_ONLY
    source: str  # where the basis is stated

    @property
    def indicator_set(self) -> str | None:
        """The indicator catalogue of the edition, when the project has it (mpi/data/indicator_sets.csv)."""
        try:
            return catalogue.indicator_set_for_year(self.year)
        except KeyError:
            return None

    @property
    def needs_card(self) -> bool:
        return self.definition == MPI_AND_CARD

    @property
    def target_definition(self) -> str:
        """The edition's own definition as a switch value (mpi.rules): registered up to 2566, all from 2567."""
        return REGISTERED if self.needs_card else ALL_POOR


EDITIONS: dict[int, Edition] = {
    e.year: e
    for e in (
        Edition(2561, 2560, "welfare registration 2560 (verified registrants)", MPI_AND_CARD, "TPMAP 2561 data file"),
        Edition(2562, None, None, MPI_AND_CARD, "press figures (thansettakij 514229); basis not stated"),
        Edition(2565, 2564, "state-welfare registrants (MOF)", MPI_AND_CARD, "thansettakij 514229"),
        Edition(2566, 2565, "welfare card 2565", MPI_AND_CARD, "tpmap.in.th/2566"),
        Edition(2567, 2566, "welfare card 2565", MPI_ONLY, "tpmap.in.th (2567 wording)"),
    )
}


def edition(year: int) -> Edition:
    """The edition of a TPMAP year. A year between the published ones (a synthetic panel's 2563, say) takes the
    basis of the jpt survey the year before and the definition of the editions around it."""
    if year in EDITIONS:
        return EDITIONS[year]
    before = [e for y, e in EDITIONS.items() if y < year]
    definition = before[-1].definition if before else MPI_AND_CARD
    return Edition(year, year - 1, None, definition, "not a published edition")


# จปฐ. interviews are held in the first months of the survey year; the shared sources give no dates, so an edition
# takes January to April of its survey year (the Community Development Department's usual schedule).
SURVEY_DAYS = ((1, 1), (4, 30))  # (month, day) of the first and the last interview


def survey_period(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the interviews behind edition `year` (its survey year, else the year before)."""
    ce = (edition(year).survey_year or year - 1) - BE_OFFSET
    (m0, d0), (m1, d1) = SURVEY_DAYS
    return dt.date(ce, m0, d0), dt.date(ce, m1, d1)


def survey_date(year: int) -> dt.date:
    """The edition's survey date, the last day of its interviews: every age of the edition is counted on it (cards,
    indicator scopes, vulnerable households, the generator), and nobody born after it can be in the survey."""
    return survey_period(year)[1]


def comparable_indicators(a: int, b: int) -> bool:
    """Whether two editions' indicators can be compared one by one (the same catalogue)."""
    sa, sb = edition(a).indicator_set, edition(b).indicator_set
    return sa is not None and sa == sb


def definition_for(year: int, asked: str | None = None) -> str:
    """The definition a figure of `year` is counted by: the one asked for, else the edition's own."""
    return check_definition(asked) if asked else edition(year).target_definition
