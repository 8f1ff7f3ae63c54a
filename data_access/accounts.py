"""Accounts that mirror the committee structure of the source deck, their sign-in and API tokens.

| role             | committee          | area                  | accounts per area                    |
|------------------|--------------------|-----------------------|--------------------------------------|
| national         | ศจพ.               | the country           | -                                    |
| province         | ศจพ.จ.             | a province (not 10)   | 6: the governor (administrator) + 5 agencies |
| bangkok          | ศจพ.กทม.           | Bangkok (10)          | 5: the governor (administrator) + 4 agencies |
| district         | ศจพ.อ.             | an amphoe (not 10xx)  | 2: district chief, development officer |
| bangkok_district | ศจพ.ข.             | a Bangkok khet (10xx) | 1                                    |
| team             | operation team     | one or more tambons   | one account per team                 |
| admin            | system administrator | the deployment      | -                                    |

A province (or Bangkok) administrator manages the accounts inside its province within these quotas.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, text

from auth.security import hash_password, needs_rehash, new_token, password_problem, token_digest, verify_password
from data_access import audit
from data_access.access import CurrentUser, Forbidden, RateLimited
from data_access.db import get_engine
from data_access.models import ROLES

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")
QUOTA = {"province": 6, "bangkok": 5, "district": 2, "bangkok_district": 1}
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
TOKEN_TTL = dt.timedelta(hours=12)


class AccountError(ValueError):
    """A request about accounts that cannot be done, with the reason."""


class LoginFailed(PermissionError):
    """Wrong username or password (deliberately not saying which)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def area_problem(role: str, areas: list[str], conn: Connection) -> str | None:
    """Why these areas do not fit the role, or None."""
    if not areas:
        return "an account needs an area"
    levels = dict(conn.execute(text("SELECT code, level FROM area WHERE code IN :c")
                               .bindparams(bindparam("c", expanding=True)), {"c": areas}).all())
    unknown = [a for a in areas if a not in levels]
    if unknown:
        return f"unknown area code {unknown[0]!r}"
    one = len(areas) == 1
    a = areas[0]
    rules = {
        "national": one and a == "TH",
        "admin": one and a == "TH",
        "province": one and levels[a] == "province" and a != "10",
        "bangkok": one and a == "10",
        "district": one and levels[a] == "amphoe" and not a.startswith("10"),
        "bangkok_district": one and levels[a] == "amphoe" and a.startswith("10"),
        "team": all(levels[x] == "tambon" for x in areas) and len({x[:4] for x in areas}) == 1,
    }
    if not rules[role]:
        return {
            "national": "a national account covers the country: --area TH",
            "admin": "a system administrator account covers the deployment: --area TH",
            "province": "a province account covers one province (2 digits, not Bangkok 10)",
            "bangkok": "a Bangkok account covers Bangkok: --area 10",
            "district": "a district account covers one amphoe (4 digits, outside Bangkok)",
            "bangkok_district": "a Bangkok district account covers one khet (10xx)",
            "team": "an operation team covers one or more tambons (6 digits) of one amphoe",
        }[role]
    return None


def _can_manage(manager: CurrentUser | None, role: str, areas: list[str]) -> bool:
    if manager is None or manager.role == "admin":
        return True  # the command line (bootstrap) and the system administrator
    if manager.is_area_admin and manager.role in ("province", "bangkok"):
        province = manager.areas[0]
        inside = all(a.startswith(province) for a in areas)
        allowed = {"province": {"province", "district", "team"}, "bangkok": {"bangkok", "bangkok_district", "team"}}
        return inside and role in allowed[manager.role]
    return False


def create_user(*, username: str, full_name: str, role: str, areas: list[str], password: str,
                agency: str | None = None, is_area_admin: bool = False, manager: CurrentUser | None = None,
                engine: Engine | None = None) -> int:
    """Create an account; raises AccountError with the reason, or Forbidden if `manager` may not."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError("a username is 3-64 characters of a-z, 0-9, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if not full_name.strip():
        raise AccountError("an account is tied to a named person: give the full name")
    if is_area_admin and role not in ("province", "bangkok"):
        raise AccountError("only a province or Bangkok account can be the area administrator")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    if not _can_manage(manager, role, areas):
        raise Forbidden("you may not create this account")
    if manager is not None and manager.role != "admin" and is_area_admin:
        raise Forbidden("only the system administrator appoints an area administrator")
    with (engine or get_engine()).begin() as conn:
        problem = area_problem(role, areas, conn)
        if problem:
            raise AccountError(problem)
        if conn.execute(text("SELECT 1 FROM user_account WHERE username = :u"), {"u": username}).first():
            raise AccountError(f"the username {username!r} is taken")
        if role in QUOTA:
            used = conn.execute(text(
                "SELECT COUNT(*) FROM user_account u JOIN user_area a ON a.user_id = u.id "
                "WHERE u.role = :r AND u.active AND a.area_code = :c"), {"r": role, "c": areas[0]}).scalar()
            if used >= QUOTA[role]:
                raise AccountError(f"{areas[0]} already has {used} active {role} accounts, the quota")
            if is_area_admin and conn.execute(text(
                    "SELECT 1 FROM user_account u JOIN user_area a ON a.user_id = u.id "
                    "WHERE u.role = :r AND u.active AND u.is_area_admin AND a.area_code = :c"),
                    {"r": role, "c": areas[0]}).first():
                raise AccountError(f"{areas[0]} already has an administrator")
        now = _now()
        uid = conn.execute(text(
            "INSERT INTO user_account (username, full_name, role, agency, is_area_admin, password_hash, password_changed_at, "
            "active, failed_logins, created_at, created_by) VALUES (:u, :n, :r, :ag, :adm, :h, :now, :t, 0, :now, :by) "
            "RETURNING id"), {"u": username, "n": full_name.strip(), "r": role, "ag": agency, "adm": is_area_admin,
                              "h": hash_password(password), "now": now, "t": True,
                              "by": manager.id if manager else None}).scalar()
        conn.execute(text("INSERT INTO user_area (user_id, area_code) VALUES (:u, :a)"), [{"u": uid, "a": a} for a in areas])
        audit.record("user_created", user=manager, username=None if manager else "(command line)",
                     object_type="user", object_id=username, area_code=areas[0],
                     detail={"after": {"role": role, "areas": areas, "agency": agency, "is_area_admin": is_area_admin,
                                       "full_name_given": True}}, conn=conn)
    return uid


def _user_row(conn: Connection, where: str, params: dict):
    return conn.execute(text(f"SELECT * FROM user_account WHERE {where}"), params).mappings().first()


def _areas(conn: Connection, user_id: int) -> tuple[str, ...]:
    return tuple(sorted(conn.execute(text("SELECT area_code FROM user_area WHERE user_id = :u"), {"u": user_id}).scalars()))


def _current(conn: Connection, row) -> CurrentUser:
    return CurrentUser(row["id"], row["username"], row["full_name"], row["role"], _areas(conn, row["id"]),
                       bool(row["is_area_admin"]))


@dataclass
class SignIn:
    user: CurrentUser
    password_stamp: str


def authenticate(username: str, password: str, *, ip: str | None = None, engine: Engine | None = None) -> SignIn:
    """Check a password; lock the account for LOCKOUT after MAX_FAILED_LOGINS failures in a row."""
    username = (username or "").strip().lower()
    # The failure count and the audit rows must be committed before refusing: raise after the transaction.
    refusal: Exception | None = None
    with (engine or get_engine()).begin() as conn:
        row = _user_row(conn, "username = :u", {"u": username})
        now = _now()
        if row is not None and _aware(row["locked_until"]) and _aware(row["locked_until"]) > now:
            wait = int((_aware(row["locked_until"]) - now).total_seconds()) + 1
            audit.record("login_locked", username=username, ip=ip, conn=conn)
            refusal = RateLimited(f"too many failed sign-ins: the account is locked for {wait // 60 + 1} more minutes", wait)
        elif not (row is not None and verify_password(row["password_hash"], password) and row["active"]):
            if row is None:
                verify_password(None, password)  # same work as a real check: timing does not tell who exists
            else:
                failures = row["failed_logins"] + 1
                locked = now + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
                conn.execute(text("UPDATE user_account SET failed_logins = :f, locked_until = :l WHERE id = :id"),
                             {"f": 0 if locked else failures, "l": locked, "id": row["id"]})
            audit.record("login_failed", username=username, ip=ip, conn=conn)
            refusal = LoginFailed("wrong username or password")
    if refusal is not None:
        raise refusal
    with (engine or get_engine()).begin() as conn:
        updates = {"id": row["id"]}
        sets = ["failed_logins = 0", "locked_until = NULL"]
        if needs_rehash(row["password_hash"]):
            sets.append("password_hash = :h")
            updates["h"] = hash_password(password)
        conn.execute(text(f"UPDATE user_account SET {', '.join(sets)} WHERE id = :id"), updates)
        user = _current(conn, row)
        audit.record("login_ok", user=user, ip=ip, conn=conn)
        return SignIn(user, str(_aware(row["password_changed_at"]).timestamp()))


def load_user(user_id: int, password_stamp: str | None = None, engine: Engine | None = None) -> CurrentUser | None:
    """The active user behind a session; None if gone, deactivated, or the password changed since sign-in."""
    with (engine or get_engine()).connect() as conn:
        row = _user_row(conn, "id = :id", {"id": user_id})
        if row is None or not row["active"]:
            return None
        if password_stamp is not None and password_stamp != str(_aware(row["password_changed_at"]).timestamp()):
            return None
        return _current(conn, row)


def change_password(user: CurrentUser, old: str, new: str, *, engine: Engine | None = None) -> str:
    """Change a password (signs out other sessions and revokes API tokens); returns the new session stamp."""
    problem = password_problem(new, user.username)
    if problem:
        raise AccountError(problem)
    with (engine or get_engine()).begin() as conn:
        row = _user_row(conn, "id = :id", {"id": user.id})
        if row is None or not verify_password(row["password_hash"], old):
            raise LoginFailed("the current password is wrong")
        now = _now()
        conn.execute(text("UPDATE user_account SET password_hash = :h, password_changed_at = :t WHERE id = :id"),
                     {"h": hash_password(new), "t": now, "id": user.id})
        conn.execute(text("UPDATE api_token SET revoked_at = :t WHERE user_id = :u AND revoked_at IS NULL"),
                     {"t": now, "u": user.id})
        audit.record("password_changed", user=user, object_type="user", object_id=user.username, conn=conn)
    return str(now.timestamp())


def issue_token(user: CurrentUser, *, ip: str | None = None, engine: Engine | None = None) -> tuple[str, dt.datetime]:
    token = new_token()
    expires = _now() + TOKEN_TTL
    with (engine or get_engine()).begin() as conn:
        conn.execute(text("INSERT INTO api_token (user_id, token_hash, created_at, expires_at) VALUES (:u, :h, :c, :e)"),
                     {"u": user.id, "h": token_digest(token), "c": _now(), "e": expires})
        audit.record("token_issued", user=user, ip=ip, conn=conn)
    return token, expires


def user_for_token(token: str, engine: Engine | None = None) -> CurrentUser | None:
    with (engine or get_engine()).connect() as conn:
        row = conn.execute(text("SELECT user_id, expires_at, revoked_at FROM api_token WHERE token_hash = :h"),
                           {"h": token_digest(token)}).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= _now():
        return None
    return load_user(row.user_id, engine=engine)


def revoke_token(token: str, user: CurrentUser, engine: Engine | None = None) -> bool:
    with (engine or get_engine()).begin() as conn:
        n = conn.execute(text("UPDATE api_token SET revoked_at = :t WHERE token_hash = :h AND user_id = :u "
                              "AND revoked_at IS NULL"), {"t": _now(), "h": token_digest(token), "u": user.id}).rowcount
        audit.record("token_revoked", user=user, conn=conn)
    return n > 0


def list_accounts(manager: CurrentUser, engine: Engine | None = None) -> list[dict]:
    """The accounts a manager may see: all for the system administrator, its province's for an area administrator."""
    if manager.role != "admin" and not manager.is_area_admin:
        raise Forbidden("only administrators manage accounts")
    with (engine or get_engine()).connect() as conn:
        rows = conn.execute(text(
            "SELECT u.id, u.username, u.full_name, u.role, u.agency, u.is_area_admin, u.active, u.locked_until, "
            "a.area_code FROM user_account u JOIN user_area a ON a.user_id = u.id ORDER BY u.username, a.area_code")).mappings()
        out: dict[int, dict] = {}
        for r in rows:
            entry = out.setdefault(r["id"], dict(r) | {"areas": []})
            entry["areas"].append(r["area_code"])
    accounts = list(out.values())
    if manager.role != "admin":
        province = manager.areas[0]
        accounts = [a for a in accounts if all(x.startswith(province) for x in a["areas"])]
    for a in accounts:
        a.pop("area_code", None)
    return accounts


def set_active(manager: CurrentUser, username: str, active: bool, engine: Engine | None = None) -> None:
    with (engine or get_engine()).begin() as conn:
        row = _user_row(conn, "username = :u", {"u": username})
        if row is None:
            raise AccountError(f"no account {username!r}")
        target = _current(conn, row)
        if not _can_manage(manager, target.role, list(target.areas)) or (manager.role != "admin" and row["is_area_admin"]):
            raise Forbidden("you may not change this account")
        conn.execute(text("UPDATE user_account SET active = :a WHERE id = :id"), {"a": active, "id": row["id"]})
        if not active:
            conn.execute(text("UPDATE api_token SET revoked_at = :t WHERE user_id = :u AND revoked_at IS NULL"),
                         {"t": _now(), "u": row["id"]})
        audit.record("user_changed", user=manager, object_type="user", object_id=username, area_code=target.areas[0],
                     detail={"before": {"active": bool(row["active"])}, "after": {"active": active}}, conn=conn)
