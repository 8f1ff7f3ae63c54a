"""Issue 13 (pinned): an Idempotency-Key on a POST, PUT or PATCH returns the first result for a repeat, so a
double tap or a replayed field-app queue writes once. Real threads against a served app, both backends."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from data_access import ratelimit
from tests.utils.served import request, served
from tests.utils.world import bearer

YEAR = 2563


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def _visits(world, house: str) -> int:
    with world["engine"].connect() as conn:
        return conn.execute(
            text("SELECT COUNT(*) FROM visit v JOIN household h ON h.id = v.household_id WHERE h.year = :y AND h.house_id = :h"),
            {"y": YEAR, "h": house},
        ).scalar()


def test_a_repeated_key_returns_the_first_result_and_writes_once(world):
    client = world["app"].server.test_client()
    house = world["houses"]["7502"]
    headers = bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/households/{house}/visits?year={YEAR}"
    body = {"visited_on": "2021-08-01", "outcome": "verified", "note": "เคาะประตู"}
    before = _visits(world, house)
    first = client.post(url, headers=headers, json=body)
    again = client.post(url, headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _visits(world, house) == before + 1
    other = client.post(url, headers=headers, json=body | {"note": "อีกครั้ง"})
    assert other.status_code == 422 and "different request" in other.get_json()["error"]
    fresh = client.post(url, headers=bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}, json=body)
    assert fresh.status_code == 201 and _visits(world, house) == before + 2


def test_parallel_copies_of_one_request_write_once(world, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (10_000, 60))
    house = world["houses"]["7502"]
    headers = bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}
    call = ("POST", f"/api/v1/households/{house}/needs?year={YEAR}", {"dimension": "income", "description": "ต้องการงาน"}, headers)
    with served(world["app"].server) as base:
        barrier = threading.Barrier(6)

        def go(_):
            barrier.wait()
            return request(base, *call)

        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(go, range(6)))
    assert {r[0] for r in results} == {201}, results
    assert len({r[1]["id"] for r in results}) == 1  # every copy got the one need's id
    with world["engine"].connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM need WHERE description = 'ต้องการงาน'")).scalar()
    assert n == 1


def test_status_changes_and_refusals_replay_too(world):
    client = world["app"].server.test_client()
    house = world["houses"]["7502"]
    key = {"Idempotency-Key": "status-" + uuid.uuid4().hex}
    headers = bearer(world, "team") | key
    url = f"/api/v1/households/{house}/status?year={YEAR}"
    first = client.put(url, headers=headers, json={"status": "survival", "reason": "เริ่ม"})
    again = client.put(url, headers=headers, json={"status": "survival", "reason": "เริ่ม"})
    assert first.status_code == 200 and again.get_json() == first.get_json()
    bad_key = {"Idempotency-Key": "bad-" + uuid.uuid4().hex}
    refused = client.put(url, headers=bearer(world, "team") | bad_key, json={"status": "rich", "reason": "x"})
    assert refused.status_code == 400
    assert (
        client.put(url, headers=bearer(world, "team") | bad_key, json={"status": "rich", "reason": "x"}).get_json()
        == refused.get_json()
    )
    assert (
        client.post(
            url.replace("status", "visits"),
            headers=bearer(world, "team") | {"Idempotency-Key": "x" * 200},
            json={"visited_on": "2021-08-01", "outcome": "verified"},
        ).status_code
        == 400
    )


def test_a_write_whose_answer_cannot_be_stored_is_still_never_run_twice(world, monkeypatch):
    """The database takes the visit, then refuses the answer's row (full, or gone between the two): the team is told
    the visit was recorded, and a replay of the key (even after the claim would count as abandoned) answers without
    writing a second visit. Before: a 500 for a visit that was saved, and a replay minutes later saved it again."""
    from sqlalchemy.exc import OperationalError

    from data_access import idempotency

    def full(*_args, **_kw):
        raise OperationalError("UPDATE idempotent_request", {}, Exception("database or disk is full"))

    client = world["app"].server.test_client()
    house = world["houses"]["7502"]
    headers = bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/households/{house}/visits?year={YEAR}"
    body = {"visited_on": "2021-08-03", "outcome": "verified", "note": "ดิสก์เต็ม"}
    before = _visits(world, house)
    monkeypatch.setattr(idempotency, "finish", full)
    first = client.post(url, headers=headers, json=body)
    assert first.status_code == 201 and first.get_json()["id"] > 0  # the truth: it was recorded
    monkeypatch.undo()
    monkeypatch.setattr(idempotency, "ABANDONED", __import__("datetime").timedelta(0))
    again = client.post(url, headers=headers, json=body)
    assert again.status_code == idempotency.APPLIED_STATUS and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["applied"] is True
    assert _visits(world, house) == before + 1
