"""Issue 11, accounts and routes to full citizen IDs: lockout and quota races with real threads against a
served app, no username enumeration, password policy, server-side sessions, safe redirects, second approvers.
Both backends, each on a database of its own."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from data_access import accounts, audit, ratelimit
from data_access.access import Forbidden
from tests.utils.served import request, served
from tests.utils.world import PASSWORD, session_client

YEAR = 2562


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def _row(engine, username: str):
    with engine.connect() as conn:
        return (
            conn.execute(
                text("SELECT failed_logins, locked_until, approval FROM user_account WHERE username = :u"), {"u": username}
            )
            .mappings()
            .one()
        )


def _aware(value):
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)


def test_parallel_wrong_passwords_cannot_outrun_the_lockout(world, monkeypatch):
    engine = world["engine"]
    name = f"race-{engine.dialect.name}"
    accounts.create_user(username=name, full_name="Race Test", role="district", areas=["7502"], password=PASSWORD, engine=engine)
    monkeypatch.setitem(ratelimit.LIMITS, "login", (1000, 60))  # many addresses, in the attack
    attempts = [f"wrong password {i}!" for i in range(24)] + [PASSWORD]
    with served(world["app"].server) as base, ThreadPoolExecutor(25) as pool:
        barrier = threading.Barrier(25)

        def attempt(password):
            barrier.wait()
            return request(base, "POST", "/api/v1/auth/login", {"username": name, "password": password})[0]

        statuses = list(pool.map(attempt, attempts))
        assert statuses.count(401) >= 24
        row = _row(engine, name)
        # every wrong password was counted: the account ends locked, whatever order the threads ran in
        assert _aware(row["locked_until"]) > dt.datetime.now(dt.UTC), row
        status, body, _ = request(base, "POST", "/api/v1/auth/login", {"username": name, "password": PASSWORD})
        assert status == 401 and body["error"] == accounts.LOGIN_REFUSED


def test_a_locked_account_and_an_unknown_name_answer_alike(world, monkeypatch):
    engine = world["engine"]
    name = f"enum-{engine.dialect.name}"
    accounts.create_user(username=name, full_name="Enum Test", role="district", areas=["5802"], password=PASSWORD, engine=engine)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(name, "not the password 1", engine=engine)
    verified = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: verified.append(h is not None) or real(h, p))
    client = world["app"].server.test_client()
    locked = client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    unknown = client.post("/api/v1/auth/login", json={"username": "no-such-user", "password": PASSWORD})
    assert (locked.status_code, locked.get_json()) == (unknown.status_code, unknown.get_json())
    assert locked.headers.get("Retry-After") is None
    assert verified == [True, False]  # one argon2 verification each: the same timing class


def test_common_passwords_are_refused_and_the_change_form_is_throttled_locked_and_audited(world, monkeypatch):
    engine = world["engine"]
    with pytest.raises(accounts.AccountError, match="too easy to guess"):
        accounts.create_user(
            username=f"weak-{engine.dialect.name}",
            full_name="Weak",
            role="district",
            areas=["5803"],
            password="1234567890",
            engine=engine,
        )
    name = f"chg-{engine.dialect.name}"
    accounts.create_user(
        username=name, full_name="Change Test", role="district", areas=["5803"], password=PASSWORD, engine=engine
    )
    world["names"]["chg"] = name
    client, csrf = session_client(world, "chg")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        page = client.post(
            "/account/password",
            data={"old": "guess guess guess", "new": "another-secret-77", "again": "another-secret-77", "csrf_token": csrf},
        )
        assert "alert-danger" in page.get_data(as_text=True)
    assert _aware(_row(engine, name)["locked_until"]) > dt.datetime.now(dt.UTC)
    page = client.post(
        "/account/password", data={"old": PASSWORD, "new": "another-secret-77", "again": "another-secret-77", "csrf_token": csrf}
    )
    assert "locked" in page.get_data(as_text=True)  # even the right password, while locked
    failed = [e for e in audit.events(username=name, engine=engine) if e["action"] == "password_change_failed"]
    assert len(failed) == accounts.MAX_FAILED_LOGINS + 1
    monkeypatch.setitem(ratelimit.LIMITS, "login", (2, 60))
    ratelimit.reset()
    texts = [
        client.post(
            "/account/password",
            data={"old": "x" * 12, "new": "another-secret-77", "again": "another-secret-77", "csrf_token": csrf},
        ).get_data(as_text=True)
        for _ in range(3)
    ]
    assert "Too many" in texts[-1] or "บ่อยเกินไป" in texts[-1]


def test_sign_out_ends_the_session_even_for_a_copied_cookie(world):
    client, csrf = session_client(world, "district")
    house = world["houses"]["7501"]
    cookie = client.get_cookie("session").value
    thief = world["app"].server.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get(f"/api/v1/households/{house}?year={YEAR}").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert thief.get(f"/api/v1/households/{house}?year={YEAR}").status_code == 401


def test_deactivation_ends_sessions(world):
    engine = world["engine"]
    name = f"deact-{engine.dialect.name}"
    accounts.create_user(
        username=name, full_name="Deactivate Test", role="team", areas=["750301"], password=PASSWORD, engine=engine
    )
    world["names"]["deact"] = name
    client, _ = session_client(world, "deact")
    house = world["houses"]["7503"]
    assert client.get(f"/api/v1/households/{house}?year={YEAR}").status_code == 200
    governor = accounts.load_user(
        accounts.authenticate(world["names"]["province"], PASSWORD, engine=engine).user.id, engine=engine
    )
    accounts.set_active(governor, name, False, engine=engine)
    assert client.get(f"/api/v1/households/{house}?year={YEAR}").status_code == 401


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "/%0a/evil.example",
        " //evil.example",
        "javascript:alert(1)",
    ],
)
def test_redirects_stay_on_the_site(world, target):
    client = world["app"].server.test_client()
    r = client.get(f"/lang/en?next={target}")
    assert r.status_code == 302 and r.headers["Location"] == "/", r.headers["Location"]
    page = client.get(f"/login?next={target}").get_data(as_text=True)
    assert 'name="next" value="/"' in page


def test_safe_redirects_keep_same_site_paths(world):
    client = world["app"].server.test_client()
    assert client.get("/lang/en?next=/area/75%3Fyear%3D2561").headers["Location"] == "/area/75?year=2561"


def test_concurrent_creations_respect_the_quota(world):
    engine = world["engine"]
    barrier = threading.Barrier(6)
    results = []

    def create(i):
        barrier.wait()
        try:
            accounts.create_user(
                username=f"q{i}-{engine.dialect.name}",
                full_name=f"Quota {i}",
                role="district",
                areas=["5801"],
                password=PASSWORD,
                engine=engine,
            )
            results.append("ok")
        except accounts.AccountError as e:
            results.append(str(e))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert results.count("ok") == accounts.QUOTA["district"], results
    assert all("quota" in r for r in results if r != "ok")


def test_team_accounts_have_a_quota_per_tambon_and_a_second_approver(world):
    engine = world["engine"]
    governor = accounts.load_user(
        accounts.authenticate(world["names"]["province"], PASSWORD, engine=engine).user.id, engine=engine
    )
    made = [f"tq{i}-{engine.dialect.name}" for i in range(accounts.TEAM_QUOTA_PER_TAMBON)]
    for name in made:
        accounts.create_user(
            username=name, full_name="Team", role="team", areas=["750101"], password=PASSWORD, manager=governor, engine=engine
        )
    with pytest.raises(accounts.AccountError, match="tambon 750101 already has"):
        accounts.create_user(
            username=f"tq9-{engine.dialect.name}",
            full_name="Team",
            role="team",
            areas=["750101"],
            password=PASSWORD,
            manager=governor,
            engine=engine,
        )
    # pending: the new team cannot sign in until the district chief of its amphoe approves
    assert _row(engine, made[0])["approval"] == "pending"
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(made[0], PASSWORD, engine=engine)
    other_district = accounts.load_user(
        accounts.authenticate(world["names"]["district7502"], PASSWORD, engine=engine).user.id, engine=engine
    )
    with pytest.raises(Forbidden):
        accounts.decide_account(other_district, made[0], approve=True, engine=engine)
    with pytest.raises(Forbidden):
        accounts.decide_account(governor, made[0], approve=True, engine=engine)  # the creator is not a second person
    chief = accounts.load_user(accounts.authenticate(world["names"]["district"], PASSWORD, engine=engine).user.id, engine=engine)
    assert made[0] in {a["username"] for a in accounts.pending_accounts(chief, engine=engine)}
    accounts.decide_account(chief, made[0], approve=True, reason="ทีม ตำบลแม่กลอง", engine=engine)
    assert accounts.authenticate(made[0], PASSWORD, engine=engine).user.role == "team"
    actions = [e["action"] for e in audit.events(username=chief.username, engine=engine)]
    assert "account_approved" in actions


def test_the_system_administrator_cannot_make_itself_a_national_reader(world):
    engine = world["engine"]
    admin = accounts.load_user(accounts.authenticate(world["names"]["admin"], PASSWORD, engine=engine).user.id, engine=engine)
    name = f"natl-{engine.dialect.name}"
    accounts.create_user(
        username=name, full_name="Shadow National", role="national", areas=["TH"], password=PASSWORD, manager=admin, engine=engine
    )
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(name, PASSWORD, engine=engine)
    with pytest.raises(Forbidden):
        accounts.decide_account(admin, name, approve=True, engine=engine)
    national = accounts.load_user(
        accounts.authenticate(world["names"]["national"], PASSWORD, engine=engine).user.id, engine=engine
    )
    accounts.decide_account(national, name, approve=False, reason="no committee order", engine=engine)
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(name, PASSWORD, engine=engine)


def test_audit_rows_bound_their_fields(world):
    engine = world["engine"]
    client = world["app"].server.test_client()
    huge = "a" * 5_000_000
    client.post("/api/v1/auth/login", json={"username": huge, "password": "x" * 5000})
    with engine.connect() as conn:
        longest = conn.execute(text("SELECT MAX(LENGTH(username)), MAX(LENGTH(detail)) FROM audit_event")).one()
    assert longest[0] <= 64 and (longest[1] or 0) <= audit.MAX_DETAIL


@pytest.mark.parametrize(
    "key, where",
    [("province", "/area/75"), ("district", "/area/7501"), ("team", "/area/7502"), ("national", "/"), ("admin", "/admin/users")],
)
def test_signing_in_lands_on_the_users_own_area(world, key, where):
    import re

    client = world["app"].server.test_client()
    token = re.search(r"name='csrf_token' value='([^']+)'", client.get("/login").get_data(as_text=True)).group(1)
    r = client.post("/login", data={"username": world["names"][key], "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == where
