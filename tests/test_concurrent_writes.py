"""Issue 11, the first concurrent write to a household: real threads against a served app, both backends.
Parallel first writes give one success and 409s (never a 500); unversioned writes are serialised, so the
status history records each change's true predecessor."""

from __future__ import annotations

import threading
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


def _fresh_households(world, n: int) -> list[str]:
    """Households of the team's tambons that nobody has written to yet."""
    with world["engine"].connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT h.house_id FROM household h WHERE h.year = :y AND h.tambon_code IN ('750201', '750202') "
                    "AND NOT EXISTS (SELECT 1 FROM logbook_state s WHERE s.household_id = h.id) ORDER BY h.house_id LIMIT :n"
                ),
                {"y": YEAR, "n": n},
            ).scalars()
        )


def _parallel(base, calls):
    barrier = threading.Barrier(len(calls))

    def go(call):
        barrier.wait()
        return request(base, *call)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


def test_parallel_first_writes_give_one_success_and_conflicts(world, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (10_000, 60))
    headers = bearer(world, "team")
    house = _fresh_households(world, 1)[0]
    path = f"/api/v1/households/{house}/status?year={YEAR}"
    with served(world["app"].server) as base:
        results = _parallel(
            base, [("PUT", path, {"status": "survival", "reason": f"ทีม {i}", "version": 0}, headers) for i in range(8)]
        )
    statuses = sorted(r[0] for r in results)
    assert statuses.count(200) == 1 and statuses.count(409) == 7, [(r[0], r[1]) for r in results]


def test_unversioned_writes_are_serialised_with_a_true_history(world, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (10_000, 60))
    headers = bearer(world, "team")
    house = _fresh_households(world, 1)[0]
    ladder = ["survival", "sufficiency", "sustainability"]
    with served(world["app"].server) as base:
        results = _parallel(
            base,
            [
                (
                    "PUT",
                    f"/api/v1/households/{house}/status?year={YEAR}",
                    {"status": ladder[i % 3], "reason": f"ครั้งที่ {i}"},
                    headers,
                )
                for i in range(6)
            ]
            + [
                (
                    "POST",
                    f"/api/v1/households/{house}/visits?year={YEAR}",
                    {"visited_on": "2021-07-01", "outcome": "verified"},
                    headers,
                )
                for _ in range(4)
            ],
        )
    assert all(r[0] in (200, 201) for r in results), [(r[0], r[1]) for r in results]
    with world["engine"].connect() as conn:
        hid = conn.execute(text("SELECT id FROM household WHERE year = :y AND house_id = :h"), {"y": YEAR, "h": house}).scalar()
        history = conn.execute(
            text("SELECT status, previous FROM status_change WHERE household_id = :h ORDER BY id"), {"h": hid}
        ).all()
        version = conn.execute(text("SELECT version FROM logbook_state WHERE household_id = :h"), {"h": hid}).scalar()
        visits = conn.execute(text("SELECT COUNT(*) FROM visit WHERE household_id = :h"), {"h": hid}).scalar()
    assert len(history) == 6 and visits == 4 and version == 10  # every write counted once
    assert history[0].previous is None
    for before, after in zip(history, history[1:], strict=False):
        assert after.previous == before.status  # each change saw the one before it


def test_parallel_visits_to_different_households_of_one_tambon_keep_its_rollup_whole(world, monkeypatch):
    """Found under load (bench/load.py): two teams' visits in one tambon at the same moment both recomputed the
    tambon's Logbook rollup (delete, then insert) and the second failed on a duplicate key, a 500. They take turns
    now, every visit succeeds, and the rollup counts each visited household once."""
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (10_000, 60))
    headers = bearer(world, "team")
    with world["engine"].connect() as conn:
        houses = list(
            conn.execute(
                text(
                    "SELECT h.house_id FROM household h WHERE h.year = :y AND h.tambon_code = '750201' "
                    "AND NOT EXISTS (SELECT 1 FROM visit v WHERE v.household_id = h.id) ORDER BY h.house_id LIMIT 8"
                ),
                {"y": YEAR},
            ).scalars()
        )
        before = conn.execute(
            text(
                "SELECT COALESCE(SUM(value), 0) FROM logbook_rollup WHERE year = :y AND tambon_code = '750201' AND metric = 'visited'"
            ),
            {"y": YEAR},
        ).scalar()
    assert len(houses) == 8
    body = {"visited_on": "2021-08-01", "outcome": "verified"}
    with served(world["app"].server) as base:
        results = _parallel(base, [("POST", f"/api/v1/households/{h}/visits?year={YEAR}", body, headers) for h in houses])
    assert [r[0] for r in results] == [201] * 8, [(r[0], r[1]) for r in results]
    with world["engine"].connect() as conn:
        after = conn.execute(
            text(
                "SELECT COALESCE(SUM(value), 0) FROM logbook_rollup WHERE year = :y AND tambon_code = '750201' AND metric = 'visited'"
            ),
            {"y": YEAR},
        ).scalar()
    assert after - before == 8
