"""Survey import on both backends: figures equal an independent computation; bad input changes nothing."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib

import pytest
from sqlalchemy import text

from data_access.figures import area_summary, children_summaries
from data_access.survey_import import SurveyImport, SurveyImportError
from mpi import catalogue
from mpi.editions import survey_period
from mpi.rules import dimensions_mask
from tests.utils.reference import reference_figures
from tests.utils.survey_factory import make_citizen_id, make_survey

YEAR = 2562
FIELDS = [
    "surveyed_households",
    "surveyed_persons",
    "poor_persons",
    "target_poor_persons",
    "target_poor_households",
    "crisis_persons",
    "dimension_target_poor",
    "deprived_dimensions_target_poor",
]


@pytest.fixture(scope="module")
def db(isolated_engine):
    """This module re-imports years at will: it gets a database of its own."""
    return isolated_engine


@pytest.fixture(scope="module")
def survey():
    return make_survey(n_households=300, seed=11)


@pytest.fixture(scope="module")
def imported(db, survey, tmp_path_factory):
    folder = survey.write(tmp_path_factory.mktemp("survey"))
    report = SurveyImport(YEAR, folder, db).run()
    return report


def _fingerprint(db) -> str:
    """A digest of every survey and rollup row, to prove a refused import changed nothing."""
    h = hashlib.sha256()
    with db.connect() as conn:
        for q in (
            "SELECT year, house_id, tambon_code, village_no, pattern, n_persons, n_welfare FROM household ORDER BY year, house_id",
            "SELECT year, citizen_id, first_name, welfare_card FROM person ORDER BY year, citizen_id",
            "SELECT household_id, indicator_code FROM household_failure ORDER BY 1, 2",
            "SELECT year, area_code, source, pattern, households, persons, welfare_persons FROM area_pattern_rollup ORDER BY 1, 2, 3, 4",
            "SELECT year, area_code, source, indicator_code, welfare_persons FROM area_indicator_rollup ORDER BY 1, 2, 3, 4",
        ):
            for row in conn.execute(text(q)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _compare(got: dict, want: dict, code: str) -> None:
    for field in FIELDS:
        assert got[field] == want[field], f"{code} {field}"
    for ind, n in want["indicator_target_poor"].items():
        assert got["indicator_target_poor"][ind] == n, f"{code} indicator {ind}"
    assert sum(got["indicator_target_poor"].values()) == sum(want["indicator_target_poor"].values())
    for ratio in ("headcount_ratio", "intensity", "mpi"):
        assert got[ratio] == pytest.approx(want[ratio]), f"{code} {ratio}"


def test_import_counts(imported, survey):
    assert imported.households == 300
    assert imported.persons == len(survey.persons)
    assert imported.failures == len(survey.failures)


@pytest.mark.parametrize("dims", [None, ["income"], ["health", "living", "access"]])
def test_figures_equal_hand_computation_at_every_level(imported, survey, db, dims):
    want = reference_figures(survey, dims)
    mask = dimensions_mask(dims) if dims else 0b11111
    for code, expected in want.items():
        got = area_summary(code, YEAR, mask, engine=db)
        assert got["source"] == "survey"
        _compare(got, expected, code)
    assert want["TH"]["target_poor_persons"] > 0


def test_children_lists_only_areas_with_data_sorted(imported, survey, db):
    want = reference_figures(survey)
    provinces = children_summaries("TH", YEAR, engine=db)
    assert [p["code"] for p in provinces] == ["58", "75"]
    amphoes = children_summaries("75", YEAR, engine=db)
    assert [a["code"] for a in amphoes] == sorted(c for c in want if len(c) == 4 and c.startswith("75"))
    for a in amphoes:
        _compare(a, want[a["code"]], a["code"])
        assert a["parent_code"] == "75" and a["level"] == "amphoe" and a["name_th"]


def test_household_patterns_are_derived_in_the_database(imported, survey, db):
    with db.connect() as conn:
        pattern = conn.execute(
            text("SELECT pattern FROM household WHERE year = :y AND house_id = :h"),
            {"y": YEAR, "h": survey.failures[0]["house_id"]},
        ).scalar()
    failed = {f["indicator"][0] for f in survey.failures if f["house_id"] == survey.failures[0]["house_id"]}
    expected = sum(1 << (5 - int(d)) for d in failed)
    assert pattern == expected


def _bad(survey, mutate):
    s = copy.deepcopy(survey)
    mutate(s)
    return s


def _set(rows, i, **values):
    rows[i] = dict(rows[i], **values)


BAD_CASES = {
    "unknown tambon": (
        lambda s: _set(s.households, 4, tambon_code="999999"),
        "households.csv row 6: unknown tambon code '999999'",
    ),
    "duplicate house": (
        lambda s: _set(s.households, 9, house_id=s.households[2]["house_id"]),
        "households.csv row 11: duplicate house_id 'H00002' (first on row 4)",
    ),
    "duplicate citizen id": (
        lambda s: _set(s.persons, 20, citizen_id=s.persons[3]["citizen_id"]),
        "persons.csv row 22: duplicate citizen_id 9-0000-xxxxx-xx-x (first on row 5)",
    ),
    "bad checksum": (
        lambda s: _set(
            s.persons, 7, citizen_id=s.persons[7]["citizen_id"][:12] + str((int(s.persons[7]["citizen_id"][12]) + 1) % 10)
        ),
        "persons.csv row 9: citizen_id 9-0000-xxxxx-xx-x fails the Thai check digit",
    ),
    "short citizen id": (
        lambda s: _set(s.persons, 1, citizen_id="12345"),
        "persons.csv row 3: citizen_id must be exactly 13 digits",
    ),
    "unknown indicator": (lambda s: _set(s.failures, 0, indicator="6.1"), "failures.csv row 2: unknown indicator code '6.1'"),
    "bad date": (
        lambda s: _set(s.persons, 5, birth_date="1980-02-30"),
        "persons.csv row 7: birth_date '1980-02-30' is not a date",
    ),
    "buddhist era date": (
        lambda s: _set(s.persons, 6, birth_date="2523-01-15"),
        "persons.csv row 8: birth_date 2523-01-15 has a Buddhist-era year (2523 BE is 1980 CE); the file takes "
        "Christian-era dates, e.g. 1980-01-15",
    ),
    "buddhist era date that is no date": (
        lambda s: _set(s.persons, 6, birth_date="2560-02-29"),  # 2017 had no 29 February: still a Buddhist-era year
        "persons.csv row 8: birth_date 2560-02-29 has a Buddhist-era year (2560 BE is 2017 CE)",
    ),
    # 2562's interviews end on 30 April 2018: a birth after it is not in the survey, though it is long past today
    "born after the survey date": (
        lambda s: _set(s.persons, 6, birth_date="2018-05-01"),
        "persons.csv row 8: birth_date 2018-05-01 is after the survey date of 2562 (2018-04-30",
    ),
    "born before 1880": (
        lambda s: _set(s.persons, 6, birth_date="1879-12-31"),
        "persons.csv row 8: birth_date 1879-12-31 is before 1880",
    ),
    "person without household": (
        lambda s: _set(s.persons, 12, house_id="NOPE"),
        "persons.csv row 14: person's house_id 'NOPE' is not in households.csv",
    ),
    "bad flag": (lambda s: _set(s.persons, 2, welfare_card="yes"), "persons.csv row 4: welfare_card must be 0 or 1"),
    "bad sex": (lambda s: _set(s.persons, 2, sex="X"), "persons.csv row 4: sex must be M or F"),
    "bad latitude": (
        lambda s: _set(s.households, 0, latitude="45.0", longitude="100.0"),
        "households.csv row 2: latitude '45.0' is not a number within Thailand",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_refused_with_row_and_reason_and_changes_nothing(imported, survey, db, tmp_path, case):
    mutate, expected = BAD_CASES[case]
    before = _fingerprint(db)
    folder = _bad(survey, mutate).write(tmp_path / "bad")
    with pytest.raises(SurveyImportError) as err:
        SurveyImport(YEAR, folder, db).run()
    messages = [str(p) for p in err.value.problems]
    assert any(m.startswith(expected) for m in messages), messages
    assert err.value.total >= 1
    assert _fingerprint(db) == before
    assert not any(survey.persons[0]["citizen_id"] in m for m in messages)  # IDs masked in reports


# an indicator asked about some members only (mpi/data), and how the report says who
SCOPES = {"1.1": "aged under 1", "3.2": "aged 6-14", "4.2": "aged 60 or over", "5.2": "disabled"}


def _indicator(code: str):
    return next(i for i in catalogue.indicators_for_year(YEAR) if i.code == code)


def _members(survey, house_id: str) -> list[tuple[dt.date, bool]]:
    return [(dt.date.fromisoformat(p["birth_date"]), p["disabled"] == "1") for p in survey.persons if p["house_id"] == house_id]


@pytest.mark.parametrize("code", sorted(SCOPES))
def test_a_failure_in_a_household_without_a_member_of_its_scope_is_refused(imported, survey, db, tmp_path, code):
    """Issues 31 and 34: 4.2 (people aged 60+ have an occupation) failed by a household of a 28- and a 1-year-old, 3.2
    (children of 6-14 at school) by one without such a child: refused with the row and the reason."""
    ind = _indicator(code)
    first, last = survey_period(YEAR)
    house = next(
        h["house_id"]
        for h in survey.households
        if not any(ind.covers(born, disabled, first, last) for born, disabled in _members(survey, h["house_id"]))
        and {"house_id": h["house_id"], "indicator": code} not in survey.failures
    )
    bad = copy.deepcopy(survey)
    bad.failures.append({"house_id": house, "indicator": code})
    before = _fingerprint(db)
    with pytest.raises(SurveyImportError) as err:
        SurveyImport(YEAR, bad.write(tmp_path / "scope"), db).run()
    assert [str(p) for p in err.value.problems] == [
        f"failures.csv row {len(bad.failures) + 1}: house {house!r} fails indicator {code} ({ind.name_en}), but nobody "
        f"in it is {SCOPES[code]} during the {YEAR} survey (2018-01-01 to 2018-04-30): the indicator is asked about "
        "such members only"
    ]
    assert _fingerprint(db) == before


def test_ages_are_counted_at_the_survey_not_today(imported, survey, db, tmp_path):
    """2562's interviews ran from 1 Jan to 30 Apr 2018. A child who was 14 on 1 Jan and 15 by 30 Apr (22 today) may
    fail 3.2; a head of 59 on 30 Apr (over 60 today) may not fail 4.2."""
    s = copy.deepcopy(survey)
    s.households.append({"house_id": "AGES", "tambon_code": "750101", "village_no": 1, "latitude": "", "longitude": ""})
    for serial, born in ((900_001, "1958-06-01"), (900_002, "2003-03-01")):
        s.persons.append(dict(s.persons[0], citizen_id=make_citizen_id(serial), house_id="AGES", birth_date=born, disabled="0"))
    s.failures += [{"house_id": "AGES", "indicator": "3.2"}, {"house_id": "AGES", "indicator": "4.2"}]
    with pytest.raises(SurveyImportError) as err:
        SurveyImport(YEAR, s.write(tmp_path / "ages"), db).validate()
    assert [str(p).split(" (")[0] for p in err.value.problems] == [
        f"failures.csv row {len(s.failures) + 1}: house 'AGES' fails indicator 4.2"
    ]
    s.failures.pop()
    SurveyImport(YEAR, s.write(tmp_path / "ages-ok"), db).validate()


def test_misspelt_header_is_named(imported, survey, db, tmp_path):
    folder = survey.write(tmp_path / "hdr")
    p = folder / "persons.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("welfare_card", "welfare_crad", 1), encoding="utf-8")
    before = _fingerprint(db)
    with pytest.raises(SurveyImportError) as err:
        SurveyImport(YEAR, folder, db).run()
    assert "persons.csv row 1: missing column 'welfare_card' (found 'welfare_crad': misspelt?)" in [
        str(x) for x in err.value.problems
    ]
    assert _fingerprint(db) == before


def test_missing_file_is_named(db, survey, tmp_path):
    folder = survey.write(tmp_path / "nofile")
    (folder / "failures.csv").unlink()
    with pytest.raises(SurveyImportError) as err:
        SurveyImport(YEAR, folder, db).validate()
    assert str(err.value.problems[0]).startswith("failures.csv: file is missing")


def test_many_problems_report_first_hundred_and_count(db, survey, tmp_path):
    bad = copy.deepcopy(survey)
    for i in range(150):
        _set(bad.persons, i, sex="?")
    with pytest.raises(SurveyImportError) as err:
        SurveyImport(YEAR, bad.write(tmp_path / "many"), db).validate()
    assert len(err.value.problems) == 100 and err.value.total == 150
    assert err.value.lines()[-1] == "  … and 50 more."


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp874"])
def test_bom_and_tis620_files_import_the_same(db, encoding, tmp_path):
    small = make_survey(n_households=25, seed=3)
    folder = small.write(tmp_path / encoding, encoding=encoding)
    report = SurveyImport(2563, folder, db).run()
    assert report.encodings["persons.csv"] == encoding
    with db.connect() as conn:
        names = set(conn.execute(text("SELECT first_name FROM person WHERE year = 2563")).scalars())
    assert names <= {"สมชาย", "สมศรี", "มาลี", "ประยุทธ", "บุญมี"} and names


def test_reimport_replaces_the_year(db, tmp_path):
    first = make_survey(n_households=40, seed=5)
    SurveyImport(2564, first.write(tmp_path / "a"), db).run()
    second = make_survey(n_households=20, seed=6)
    # half the households: refused unless the operator says the smaller figures are right and that they may go
    with pytest.raises(SurveyImportError):
        SurveyImport(2564, second.write(tmp_path / "b"), db).run()
    with pytest.raises(SurveyImportError):
        SurveyImport(2564, second.write(tmp_path / "b"), db, allow_shrink=True).run()
    SurveyImport(2564, second.write(tmp_path / "b"), db, allow_shrink=True, allow_removals=True).run()
    got = area_summary("TH", 2564, engine=db)
    want = reference_figures(second)["TH"]
    _compare(got, want, "TH")
    with db.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM household WHERE year = 2564")).scalar() == 20


def test_other_years_are_untouched_by_a_reimport(imported, db, survey, tmp_path):
    before = area_summary("TH", YEAR, engine=db)
    SurveyImport(2565, make_survey(n_households=10, seed=9).write(tmp_path / "y"), db).run()
    assert area_summary("TH", YEAR, engine=db) == before


def test_synthetic_ids_in_factory_are_valid():
    from mpi.rules import citizen_id_problem

    assert citizen_id_problem(make_citizen_id(123)) is None
