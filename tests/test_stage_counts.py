"""Issue 34: each household's members per life stage and sex, and the card holders among them, are counted on import
(and by migration 0023 for the years held before it); the life-stage rollup sums them. On both backends, the counts
and the rollup equal those computed here from the person rows, one by one, with mpi.lifestages.life_stage: after a
first import, after a partial re-import that changes some members, adds others and adds households, and after the
migrations are undone to before the life-stage rollup existed and done again."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import Engine, select

from data_access import models as tables
from data_access.rollups import stage_bounds
from data_access.survey_import import SurveyImport
from mpi.editions import survey_date
from mpi.lifestages import SEXES, STAGE_KEYS, life_stage
from tests.utils.survey_factory import Survey, make_citizen_id, make_survey

YEAR = 2562
RESCOPED = "58"  # the province the partial re-import replaces (the fixture's other is 75)

Counts = dict[tuple[object, ...], tuple[int, int]]


def _by_persons(engine: Engine) -> tuple[Counts, Counts]:
    """From the person rows, in Python: per household id and per (tambon, stage, sex, pattern), (members, card
    holders) of each stage and sex that has any."""
    p, h = tables.person.c, tables.household.c
    on = survey_date(YEAR)
    households: Counter[tuple[object, ...]] = Counter()
    holders: Counter[tuple[object, ...]] = Counter()
    tambons: Counter[tuple[object, ...]] = Counter()
    tambon_holders: Counter[tuple[object, ...]] = Counter()
    with engine.connect() as conn:
        rows = conn.execute(
            select(h.id, h.tambon_code, h.pattern, p.birth_date, p.sex, p.welfare_card)
            .join_from(tables.person, tables.household, h.id == p.household_id)
            .where(p.year == YEAR, h.year == YEAR)
        ).all()
    for hid, tambon, pattern, born, sex, card in rows:
        stage = life_stage(born, on, year=YEAR)
        households[(hid, stage, sex)] += 1
        holders[(hid, stage, sex)] += bool(card)
        tambons[(tambon, stage, sex, pattern)] += 1
        tambon_holders[(tambon, stage, sex, pattern)] += bool(card)
    return (
        {k: (n, holders[k]) for k, n in households.items()},
        {k: (n, tambon_holders[k]) for k, n in tambons.items()},
    )


def _stored(engine: Engine) -> tuple[Counts, Counts]:
    """The same, as the database holds them: the households' count columns and the rollup's tambon rows."""
    h, r = tables.household.c, tables.area_stage_rollup.c
    households: Counts = {}
    with engine.connect() as conn:
        for row in conn.execute(select(tables.household).where(h.year == YEAR)).mappings():
            for stage, sex, persons, welfare in tables.STAGE_COUNT_COLUMNS:
                if row[persons] or row[welfare]:
                    households[(row["id"], stage, sex)] = (row[persons], row[welfare])
        tambons: Counts = {
            (a, s, x, pat): (n, w)
            for a, s, x, pat, n, w in conn.execute(
                select(r.area_code, r.stage, r.sex, r.pattern, r.persons, r.welfare_persons)
                .join_from(tables.area_stage_rollup, tables.area, tables.area.c.code == r.area_code)
                .where(r.year == YEAR, tables.area.c.level.in_(["tambon", "municipality"]))
            )
        }
    return households, tambons


def _check(engine: Engine) -> None:
    households, tambons = _by_persons(engine)
    stored_households, stored_tambons = _stored(engine)
    assert stored_households == households
    assert stored_tambons == tambons
    assert {k[1:] for k in households} == set((s, x) for s in STAGE_KEYS for x in SEXES)  # every stage and sex counted


def _at_the_bounds(survey: Survey, first_serial: int) -> Survey:
    """A person born on each stage's bound and the day after it (the ages where a stage starts), in the survey's
    first households, each with a card or not in turn."""
    more = copy.deepcopy(survey)
    born = [d + dt.timedelta(days=k) for d in stage_bounds(YEAR).values() if isinstance(d, dt.date) for k in (0, 1)]
    for i, b in enumerate(born):
        more.persons.append(
            {
                "citizen_id": make_citizen_id(first_serial + i),
                "house_id": more.households[i]["house_id"],
                "first_name": "ขอบ",
                "last_name": "ช่วงวัย",
                "sex": "MF"[i % 2],
                "birth_date": b.isoformat(),
                "welfare_card": str(i % 2),
                "disabled": "0",
            }
        )
    return more


@pytest.fixture(scope="module")
def imported(isolated_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Survey]:
    survey = _at_the_bounds(make_survey(n_households=200, seed=23, year=YEAR), 900_000)
    SurveyImport(YEAR, survey.write(tmp_path_factory.mktemp("stages")), isolated_engine).run()
    return isolated_engine, survey


def test_the_households_counts_and_the_rollup_are_the_persons(imported: tuple[Engine, Survey]) -> None:
    _check(imported[0])


def test_a_partial_reimport_counts_the_changed_and_added_members(
    imported: tuple[Engine, Survey], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One province again: every other member's card and sex turned over (the households updated in place), a
    newborn and an elder added to some households, and new households; the other province's counts stay as they were."""
    engine, survey = imported
    houses = [h for h in survey.households if h["tambon_code"].startswith(RESCOPED)]
    ids = {h["house_id"] for h in houses}
    persons = [dict(p) for p in survey.persons if p["house_id"] in ids]
    for i, p in enumerate(persons[::2]):
        p["welfare_card"] = "0" if p["welfare_card"] == "1" else "1"
        p["sex"] = "F" if p["sex"] == "M" else "M"
        persons[2 * i] = p
    new_houses = [dict(h, house_id=f"N{n:05d}") for n, h in enumerate(houses[:5])]
    for n, h in enumerate(houses[:10:2] + new_houses):
        for k, born in enumerate(("2017-01-15", "1940-03-01")):
            persons.append(
                {
                    "citizen_id": make_citizen_id(950_000 + 2 * n + k),
                    "house_id": h["house_id"],
                    "first_name": "ใหม่",
                    "last_name": "ช่วงวัย",
                    "sex": "MF"[k],
                    "birth_date": born,
                    "welfare_card": str(k),
                    "disabled": "0",
                }
            )
    failures = [f for f in survey.failures if f["house_id"] in ids]
    again = Survey(houses + new_houses, persons, failures)
    before = _stored(engine)[0]
    SurveyImport(YEAR, again.write(tmp_path_factory.mktemp("again")), engine, scope=[RESCOPED]).run()
    _check(engine)
    after = _stored(engine)[0]
    assert after != before
    kept = {k for k in before if k[0] in _ids_outside(engine)}
    assert kept and all(after[k] == before[k] for k in kept)


def _ids_outside(engine: Engine) -> set[int]:
    h = tables.household.c
    with engine.connect() as conn:
        return set(conn.execute(select(h.id).where(h.year == YEAR, ~h.tambon_code.startswith(RESCOPED))).scalars())


def test_migrations_0019_to_0023_fill_a_database_that_held_persons_before_them(imported: tuple[Engine, Survey]) -> None:
    """Undone to 0018 (no life-stage rollup, no count columns) and done again: the counts and the rollup are back,
    the same rows the imports wrote. Last in the module."""
    from alembic import command

    from data_access.schema import alembic_config, upgrade

    engine = imported[0]
    before = _stored(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0018")
    upgrade(engine)
    assert _stored(engine) == before
    _check(engine)
