"""The pinned read API over HTTP (Flask test client), on both backends."""

from __future__ import annotations

import pytest

from data_access.survey_import import SurveyImport
from tests.utils.reference import reference_figures
from tests.utils.survey_factory import make_survey

YEAR = 2565
PINNED_FIELDS = {
    "code",
    "level",
    "name_th",
    "name_en",
    "parent_code",
    "year",
    "surveyed_households",
    "surveyed_persons",
    "poor_persons",
    "target_poor_persons",
    "target_poor_households",
    "crisis_persons",
    "dimension_target_poor",
    "indicator_target_poor",
    "deprived_dimensions_target_poor",
    "headcount_ratio",
    "intensity",
    "mpi",
}


@pytest.fixture(scope="module")
def survey():
    return make_survey(n_households=120, seed=21)


@pytest.fixture
def client(use_engine, survey, tmp_path):
    SurveyImport(YEAR, survey.write(tmp_path / "s"), use_engine).run()
    from app import create_app

    return create_app().server.test_client()


def test_country_has_every_pinned_field(client, survey):
    r = client.get(f"/api/v1/areas/TH?year={YEAR}")
    assert r.status_code == 200
    body = r.get_json()
    assert PINNED_FIELDS <= set(body)
    assert body["code"] == "TH" and body["level"] == "country" and body["parent_code"] is None
    assert set(body["dimension_target_poor"]) == {"health", "living", "education", "income", "access"}
    assert len(body["indicator_target_poor"]) == 17
    assert set(body["deprived_dimensions_target_poor"]) == {"1", "2", "3", "4", "5"}
    assert body["target_poor_persons"] == reference_figures(survey)["TH"]["target_poor_persons"]


def test_dimensions_filter_recomputes(client, survey):
    body = client.get(f"/api/v1/areas/75?year={YEAR}&dimensions=health,income").get_json()
    want = reference_figures(survey, ["health", "income"])["75"]
    assert body["target_poor_persons"] == want["target_poor_persons"]
    assert body["dimension_target_poor"]["education"] == 0
    assert body["crisis_persons"] == want["crisis_persons"]


def test_children_are_sorted_and_have_parent(client):
    r = client.get(f"/api/v1/areas/58/children?year={YEAR}")
    items = r.get_json()["items"]
    assert r.status_code == 200 and items
    assert [i["code"] for i in items] == sorted(i["code"] for i in items)
    assert all(i["parent_code"] == "58" and i["level"] == "amphoe" for i in items)


@pytest.mark.parametrize(
    "url,status",
    [
        (f"/api/v1/areas/99?year={YEAR}", 404),  # no such province
        (f"/api/v1/areas/10?year={YEAR}", 404),  # Bangkok exists, but has no figures
        ("/api/v1/areas/TH?year=2570", 404),  # no such survey year
        ("/api/v1/areas/TH?year=61", 400),
        ("/api/v1/areas/TH?year=abcd", 400),
        (f"/api/v1/areas/TH?year={YEAR}&dimensions=wealth", 400),
        (f"/api/v1/areas/TH?year={YEAR}&dimensions=", 400),
        (f"/api/v1/areas/7501x?year={YEAR}", 400),
        (f"/api/v1/areas/99/children?year={YEAR}", 404),
    ],
)
def test_errors_are_json(client, url, status):
    r = client.get(url)
    assert r.status_code == status
    assert r.is_json and r.get_json()["error"]


def test_public_answers_are_kept_by_their_parameters_not_their_address(client):
    """Issue 30: junk in a query string (`&junk=N`), or the same question spelled otherwise, makes no new entry in
    the cache of public answers (the national tambon ranking's is 215 KB)."""
    from data_access import cache

    with cache._lock:
        cache._entries.clear()
    asked = {
        "ranking": [f"/api/v1/areas/TH/ranking?year={YEAR}", f"/api/v1/areas/TH/ranking?by=ge3&year={YEAR}&level="],
        "area": [
            f"/api/v1/areas/75?year={YEAR}",
            f"/api/v1/areas/75?dimensions=income,health,living,education,access&year={YEAR}",
        ],
        "children": [f"/api/v1/areas/58/children?year={YEAR}", f"/api/v1/areas/58/children?definition=&year={YEAR}"],
    }
    for addresses in asked.values():
        first = client.get(addresses[0])
        assert first.status_code == 200
        for address in addresses + [f"{addresses[0]}&junk={n}" for n in range(5)]:
            r = client.get(address)
            assert r.status_code == 200 and r.get_data() == first.get_data(), address
    kept = [k[2] for k in list(cache._entries) if k[2][0] == "public-json"]
    assert len(kept) == len(asked), kept  # one answer per question
