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
from typing import TypedDict, cast

from sqlalchemy import Column, Connection, Engine, RowMapping, Table, func, insert, select, text, update

from auth.security import hash_password, needs_rehash, new_token, password_problem, token_digest, verify_password
from data_access import audit, policy
from data_access import models as tables
from data_access.access import CurrentUser, Scope, refuse
from data_access.db import get_engine, reading, tuples
from data_access.errors import BadRequest, Unauthorized
from data_access.models import ROLES
from data_access.models import api_token as TOKENS
from data_access.models import user_account as USERS
from data_access.models import user_session as SESSIONS
from data_access.policy import ACCOUNTS_ALL, may

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")
QUOTA = {name: role.quota for name, role in policy.ROLES.items() if role.quota is not None}  # accounts per area
TEAM_QUOTA_PER_TAMBON = policy.TAMBON_QUOTA  # accounts per tambon of the roles that have such a quota
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
TOKEN_TTL = dt.timedelta(hours=12)
SESSION_TTL = dt.timedelta(hours=8)
# Accounts that read named records (or reveal full IDs) need a second person's approval before they work,
# someone of the level above (or, for national, another national account) whose area covers the account's.
APPROVER_ROLES = {name: role.approved_by for name, role in policy.ROLES.items() if role.approved_by}
# Every refused sign-in reads the same, whether the name is unknown, the password wrong or the account
# locked: the answer must not tell an attacker which usernames exist.
LOGIN_REFUSED = "wrong username or password (after 5 wrong passwords an account is locked for 15 minutes)"


class AccountError(BadRequest):
    """A request about accounts that cannot be done, with the reason."""


class LoginFailed(Unauthorized):
    """Wrong username or password (deliberately not saying which): 401."""

    key = "auth.failed"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def area_problem(role: str, areas: list[str], conn: Connection) -> str | None:
    """Why these areas do not fit the role, or None."""
    if not areas:
        return "an account needs an area"
    ac = tables.area.c
    levels: dict[str, str] = dict(tuples(conn.execute(select(ac.code, ac.level).where(ac.code.in_(areas)))))
    unknown = [a for a in areas if a not in levels]
    if unknown:
        return f"unknown area code {unknown[0]!r}"
    return policy.area_problem(role, areas, levels)


def _can_manage(manager: CurrentUser | None, role: str, areas: list[str]) -> bool:
    if manager is None or may(manager, ACCOUNTS_ALL):
        return True  # the command line (bootstrap) and the system administrator
    if manager.is_area_admin and manager.role in policy.ROLES and policy.ROLES[manager.role].creates:
        inside = all(Scope.within(manager.areas[0]).contains(a) for a in areas)
        return inside and role in policy.ROLES[manager.role].creates
    return False


def creatable_roles(manager: CurrentUser) -> tuple[str, ...]:
    """The roles a manager may create (the administrator: all of them), in the table's order."""
    return tuple(policy.ROLES) if may(manager, ACCOUNTS_ALL) else policy.ROLES.get(manager.role, policy.Role(frozenset())).creates


def _lock_quota(conn: Connection, codes: list[str]) -> None:
    """Serialise account creation for these areas until the transaction ends: a no-op write on their rows
    takes the row lock on PostgreSQL and the write lock on SQLite, so a concurrent creation waits and then
    counts the account this one adds. (A count followed by an insert is a race under READ COMMITTED.)"""
    for code in sorted(set(codes)):
        conn.execute(update(tables.area).where(tables.area.c.code == code).values(name_th=tables.area.c.name_th))


def needs_approval(role: str, manager: CurrentUser | None) -> bool:
    """The command line (the operator's bootstrap) is trusted; an account made on the web that reads named
    records waits for a second approver."""
    return manager is not None and role in APPROVER_ROLES


def may_approve(approver: CurrentUser, role: str, areas: list[str] | tuple[str, ...], creator: str | None) -> bool:
    if approver.username == creator or approver.role not in APPROVER_ROLES.get(role, ()):
        return False
    return all(approver.area_scope.contains(a) for a in areas)


def _check_new_account(
    username: str, full_name: str, role: str, password: str, is_area_admin: bool, manager: CurrentUser | None
) -> str:
    """Refuse a new account's fields with the reason (AccountError); the full name as it is kept."""
    if not USERNAME_RE.match(username):
        raise AccountError("a username is 3-64 characters of a-z, 0-9, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if not (full_name or "").strip() and manager is not None:
        # on the web the name is required; the command line may leave it for an administrator to fill in
        raise AccountError("an account is tied to a named person: give the full name")
    if is_area_admin and not policy.ROLES[role].area_admin_allowed:
        raise AccountError("only a province or Bangkok account can be the area administrator")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    return (full_name or "").strip()


def _check_quotas(conn: Connection, role: str, areas: list[str], is_area_admin: bool) -> None:
    """Refuse an account its role's quota (per area, per tambon) or the area's one administrator has no room for."""
    rule = policy.ROLES[role]
    u, ua = tables.user_account.c, tables.user_area.c
    accounts = select(func.count()).select_from(tables.user_account.join(tables.user_area, ua.user_id == u.id))
    counted = accounts.where(u.active, u.approval != "rejected")
    if rule.quota is not None:
        used: int = conn.execute(counted.where(u.role == role, ua.area_code == areas[0])).scalar_one()
        if used >= rule.quota:
            raise AccountError(f"{areas[0]} already has {used} active {role} accounts, the quota")
    if rule.tambon_quota is not None:
        for tambon in areas:
            used = conn.execute(counted.where(u.role == role, ua.area_code == tambon)).scalar_one()
            if used >= rule.tambon_quota:
                raise AccountError(f"tambon {tambon} already has {used} operation-team accounts, the quota ({rule.tambon_quota})")
        if (
            is_area_admin
            and conn.execute(accounts.where(u.role == role, u.active, u.is_area_admin, ua.area_code == areas[0])).scalar()
        ):
            raise AccountError(f"{areas[0]} already has an administrator")


def create_user(
    *,
    username: str,
    full_name: str,
    role: str,
    areas: list[str],
    password: str,
    agency: str | None = None,
    is_area_admin: bool = False,
    manager: CurrentUser | None = None,
    engine: Engine | None = None,
) -> int:
    """Create an account; raises AccountError with the reason, or Forbidden if `manager` may not.

    Made on the web by an administrator, an account that reads named records starts `pending` until
    a second approver (APPROVER_ROLES) accepts it."""
    username = username.strip().lower()
    full_name = _check_new_account(username, full_name, role, password, is_area_admin, manager)
    if not _can_manage(manager, role, areas):
        raise refuse(manager, "you may not create this account", object_type="user", object_id=username, engine=engine)
    if manager is not None and not may(manager, ACCOUNTS_ALL) and is_area_admin:
        raise refuse(manager, "only the system administrator appoints an area administrator", object_type="user", engine=engine)
    with (engine or get_engine()).begin() as conn:
        problem = area_problem(role, areas, conn)
        if problem:
            raise AccountError(problem)
        rule = policy.ROLES[role]
        if rule.quota is not None or rule.tambon_quota is not None:
            _lock_quota(conn, areas)
        if _user_row(conn, username=username) is not None:
            raise AccountError(f"the username {username!r} is taken")
        _check_quotas(conn, role, areas, is_area_admin)
        now = _now()
        approval = "pending" if needs_approval(role, manager) else "approved"
        uid: int = conn.execute(
            # raw, like every statement here that writes or reads a moment: SQLite keeps them as the text this
            # module's statements write (with their offset), and locks compare them as text; one statement moved to
            # Core alone would compare two spellings of the same moment
            text(
                "INSERT INTO user_account (username, full_name, role, agency, is_area_admin, password_hash, password_changed_at, "
                "active, failed_logins, created_at, created_by, approval) "
                "VALUES (:u, :n, :r, :ag, :adm, :h, :now, :t, 0, :now, :by, :ap) "
                "RETURNING id"
            ),
            {
                "u": username,
                "n": full_name.strip(),
                "r": role,
                "ag": agency,
                "adm": is_area_admin,
                "h": hash_password(password),
                "now": now,
                "t": True,
                "by": manager.id if manager else None,
                "ap": approval,
            },
        ).scalar_one()
        conn.execute(insert(tables.user_area), [{"user_id": uid, "area_code": a} for a in areas])
        audit.record(
            "user_created",
            user=manager,
            username=None if manager else "(command line)",
            object_type="user",
            object_id=username,
            area_code=areas[0],
            detail={
                "after": {
                    "role": role,
                    "areas": areas,
                    "agency": agency,
                    "is_area_admin": is_area_admin,
                    "full_name_given": bool(full_name),
                    "approval": approval,
                }
            },
            conn=conn,
        )
    return uid


def set_full_name(manager: CurrentUser, username: str, full_name: str, engine: Engine | None = None) -> None:
    """An administrator fills in (or corrects) the name of an account's holder; audited with before/after."""
    full_name = (full_name or "").strip()
    if not full_name or len(full_name) > 200:
        raise AccountError("give the holder's full name (at most 200 characters)")
    with (engine or get_engine()).begin() as conn:
        row = _user_row(conn, username=username)
        if row is None:
            raise AccountError(f"no account {username!r}")
        target = _current(conn, row)
        if not _can_manage(manager, target.role, list(target.areas)):
            raise refuse(manager, "you may not change this account", object_type="user", object_id=username, engine=engine)
        conn.execute(update(USERS).where(USERS.c.id == row["id"]).values(full_name=full_name))
        audit.record(
            "user_changed",
            user=manager,
            object_type="user",
            object_id=username,
            area_code=target.areas[0] if target.areas else None,
            detail={"before": {"full_name_given": bool(row["full_name"])}, "after": {"full_name_given": True}},
            conn=conn,
        )


class PendingAccount(TypedDict):
    id: int
    username: str
    full_name: str
    role: str
    agency: str | None
    created_at: dt.datetime | str  # as stored: text on SQLite (see create_user)
    created_by: str | None
    areas: list[str]


def pending_accounts(approver: CurrentUser, engine: Engine | None = None) -> list[PendingAccount]:
    """Accounts waiting for a second approver that this user may approve."""
    with (engine or get_engine()).connect() as conn:
        rows = (
            conn.execute(
                # raw: moments as this module keeps them (see create_user)
                text(
                    "SELECT u.id, u.username, u.full_name, u.role, u.agency, u.created_at, c.username AS created_by "
                    "FROM user_account u LEFT JOIN user_account c ON c.id = u.created_by "
                    "WHERE u.approval = 'pending' AND u.active ORDER BY u.created_at"
                )
            )
            .mappings()
            .all()
        )
        out = []
        for r in rows:
            areas = _areas(conn, r["id"])
            if may_approve(approver, r["role"], areas, r["created_by"]):
                out.append(cast(PendingAccount, dict(r) | {"areas": list(areas)}))
    return out


def decide_account(
    approver: CurrentUser, username: str, *, approve: bool, reason: str = "", engine: Engine | None = None
) -> None:
    """The second approver accepts or rejects a pending account (audited with the reason)."""
    with (engine or get_engine()).begin() as conn:
        u, c = tables.user_account.alias("u"), tables.user_account.alias("c")
        row = (
            conn.execute(
                select(u.c.id, u.c.role, u.c.approval, c.c.username.label("created_by"))
                .select_from(u.outerjoin(c, c.c.id == u.c.created_by))
                .where(u.c.username == username)
            )
            .mappings()
            .first()
        )
        if row is None or row["approval"] != "pending":
            raise AccountError(f"no account {username!r} is waiting for approval")
        areas = _areas(conn, row["id"])
        if not may_approve(approver, row["role"], areas, row["created_by"]):
            raise refuse(
                approver,
                "you may not approve this account: it needs a second person of the level above whose area covers it",
                object_type="user",
                object_id=username,
                engine=engine,
            )
        state = "approved" if approve else "rejected"
        done = conn.execute(
            # raw: a moment, as this module keeps them (see create_user)
            text(
                "UPDATE user_account SET approval = :s, approved_by = :by, approved_at = :t "
                "WHERE id = :id AND approval = 'pending'"
            ),
            {"s": state, "by": approver.username, "t": _now(), "id": row["id"]},
        ).rowcount
        if done != 1:
            raise AccountError(f"account {username!r} was decided at the same moment by someone else")
        audit.record(
            "account_approved" if approve else "account_rejected",
            user=approver,
            object_type="user",
            object_id=username,
            area_code=areas[0] if areas else None,
            detail={"role": row["role"], "reason": reason[:500]},
            conn=conn,
        )


def _user_row(conn: Connection, *, username: str | None = None, user_id: int | None = None) -> RowMapping | None:
    """The account's row, read through the declared table (so its moments are UTC-aware on both backends)."""
    u = tables.user_account
    where = u.c.username == username if user_id is None else u.c.id == user_id
    return conn.execute(select(u).where(where)).mappings().first()


def _areas(conn: Connection, user_id: int) -> tuple[str, ...]:
    a = tables.user_area
    return tuple(sorted(conn.scalars(select(a.c.area_code).where(a.c.user_id == user_id))))


def _current(conn: Connection, row: RowMapping, areas: tuple[str, ...] | None = None) -> CurrentUser:
    """The account as a request sees it; its areas read here unless the caller read them with the row."""
    if areas is None:
        areas = _areas(conn, row["id"])
    return CurrentUser(row["id"], row["username"], row["full_name"], row["role"], areas, bool(row["is_area_admin"]))


@dataclass
class SignIn:
    user: CurrentUser
    session: str  # the secret for the session cookie (its digest is stored)


def _count_failure(conn: Connection, user_id: int, now: dt.datetime) -> None:
    """One wrong password, counted atomically in the database (parallel attempts cannot all read 0):
    an expired lock starts the count again; the 5th failure in a row sets the lock."""
    conn.execute(
        # raw: moments compared as this module keeps them (see create_user), in one atomic statement
        text(
            "UPDATE user_account SET "
            "failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= :now THEN 1 ELSE failed_logins + 1 END, "
            "locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= :now THEN NULL "
            "                    WHEN failed_logins + 1 >= :max THEN :lock ELSE locked_until END "
            "WHERE id = :id"
        ),
        {"now": now, "max": MAX_FAILED_LOGINS, "lock": now + LOCKOUT, "id": user_id},
    )


# A sign-in clears the failures, unless a parallel failure has locked the account meanwhile (with a new password hash
# when the stored one is of older parameters). Raw: a moment compared as this module keeps them (see create_user).
UNLOCK = (
    "UPDATE user_account SET failed_logins = 0, locked_until = NULL "
    "WHERE id = :id AND (locked_until IS NULL OR locked_until <= :now)"
)
UNLOCK_REHASH = (
    "UPDATE user_account SET failed_logins = 0, locked_until = NULL, password_hash = :h "
    "WHERE id = :id AND (locked_until IS NULL OR locked_until <= :now)"
)


def _is_locked(row: RowMapping, now: dt.datetime) -> bool:
    return row["locked_until"] is not None and row["locked_until"] > now


def authenticate(username: str, password: str, *, ip: str | None = None, engine: Engine | None = None) -> SignIn:
    """Check a password; lock the account for LOCKOUT after MAX_FAILED_LOGINS failures in a row.

    Every refusal raises LoginFailed(LOGIN_REFUSED) after one argon2 verification, whether the name is
    unknown, the account locked or pending, or the password wrong: same answer, same timing class."""
    username = (username or "").strip().lower()
    known_shape = len(username) <= 64
    engine = engine or get_engine()
    refused = False
    with engine.begin() as conn:
        row = _user_row(conn, username=username) if known_shape else None
        now = _now()
        right = verify_password(row["password_hash"] if row is not None else None, password[:1024])
        if row is None:
            audit.record("login_failed", username=username[:64], ip=ip, conn=conn)
            refused = True
        elif _is_locked(row, now):
            audit.record("login_locked", username=username, ip=ip, conn=conn)
            refused = True
        elif not right or not row["active"] or row["approval"] != "approved":
            if not right:
                _count_failure(conn, row["id"], now)
            audit.record("login_failed", username=username, ip=ip, conn=conn)
            refused = True
        else:
            params = {"id": row["id"], "now": now}
            if needs_rehash(row["password_hash"]):
                params["h"] = hash_password(password)
            # Conditional: failures committed by parallel attempts while this one was verifying may have
            # locked the account in between; then this sign-in is refused like any other.
            done = conn.execute(text(UNLOCK_REHASH if "h" in params else UNLOCK), params).rowcount
            if done != 1:
                audit.record("login_locked", username=username, ip=ip, conn=conn)
                refused = True
            else:
                user = _current(conn, row)
                secret = new_token()
                conn.execute(
                    insert(SESSIONS).values(
                        id=token_digest(secret), user_id=row["id"], created_at=now, expires_at=now + SESSION_TTL
                    )
                )
                audit.record("login_ok", user=user, ip=ip, conn=conn)
    # The failure count and the audit rows are committed before refusing.
    if refused:
        raise LoginFailed(LOGIN_REFUSED)
    return SignIn(user, secret)


def load_session(secret: str | None, engine: Engine | None = None) -> CurrentUser | None:
    """The active, approved user behind a session cookie; None once the session is signed out, expired,
    or ended by a password change or deactivation."""
    if not secret or len(secret) > 128:
        return None
    return _holder(tables.user_session, tables.user_session.c.id, token_digest(secret), engine)


def _holder(table: Table, key: Column[str], digest: str, engine: Engine | None) -> CurrentUser | None:
    """The active, approved user a session or API token belongs to; None once it is revoked or expired or the account
    is not active. Asked on every signed-in request: one connection, the credential and its account in one query."""
    u, a = tables.user_account, tables.user_area
    with reading(engine or get_engine()) as conn:  # the request's own connection: its data is read through it next
        rows = (
            conn.execute(
                select(
                    u,
                    table.c.expires_at.label("credential_expires"),
                    table.c.revoked_at.label("credential_revoked"),
                    a.c.area_code,
                )
                .join_from(table, u, table.c.user_id == u.c.id)
                .outerjoin(a, a.c.user_id == u.c.id)  # one row per area: the account and its areas in one statement
                .where(key == digest)
            )
            .mappings()
            .all()
        )
    if not rows:
        return None
    row = rows[0]
    if row["credential_revoked"] is not None or row["credential_expires"] <= _now():
        return None
    if not row["active"] or row["approval"] != "approved":
        return None
    return _current(conn, row, tuple(sorted(r["area_code"] for r in rows if r["area_code"] is not None)))


def end_session(secret: str | None, engine: Engine | None = None) -> None:
    if not secret:
        return
    with (engine or get_engine()).begin() as conn:
        conn.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id == token_digest(secret), SESSIONS.c.revoked_at.is_(None))
            .values(revoked_at=_now())
        )


def revoke_everything(conn: Connection, user_id: int, keep_session: str | None = None) -> None:
    """End every token and session of an account (a password change keeps the session that made it), in the
    caller's transaction: deactivation, a password change, an abuse alert."""
    now = _now()
    conn.execute(update(TOKENS).where(TOKENS.c.user_id == user_id, TOKENS.c.revoked_at.is_(None)).values(revoked_at=now))
    conn.execute(
        update(SESSIONS)
        .where(SESSIONS.c.user_id == user_id, SESSIONS.c.revoked_at.is_(None), SESSIONS.c.id != token_digest(keep_session or ""))
        .values(revoked_at=now)
    )


def load_user(user_id: int, engine: Engine | None = None) -> CurrentUser | None:
    """The active, approved user with this id, or None."""
    with reading(engine or get_engine()) as conn:
        row = _user_row(conn, user_id=user_id)
        if row is None or not row["active"] or row["approval"] != "approved":
            return None
        return _current(conn, row)


def change_password(
    user: CurrentUser, old: str, new: str, *, session: str | None = None, ip: str | None = None, engine: Engine | None = None
) -> None:
    """Change a password. A wrong current password counts towards the lockout like a failed sign-in and is
    audited; success ends every other session and revokes API tokens (the current session stays)."""
    problem = password_problem(new, user.username)
    if problem:
        raise AccountError(problem)
    refused: Exception | None = None
    with (engine or get_engine()).begin() as conn:
        row = _user_row(conn, user_id=user.id)
        now = _now()
        right = verify_password(row["password_hash"] if row is not None else None, old[:1024])
        if row is None or _is_locked(row, now):
            audit.record("password_change_failed", user=user, ip=ip, detail={"why": "locked"}, conn=conn)
            refused = LoginFailed("the account is locked after too many wrong passwords; try again later", key="auth.locked")
        elif not right:
            _count_failure(conn, row["id"], now)
            audit.record("password_change_failed", user=user, ip=ip, detail={"why": "wrong current password"}, conn=conn)
            refused = LoginFailed("the current password is wrong", key="auth.wrong_current")
        else:
            conn.execute(
                update(USERS)
                .where(USERS.c.id == user.id)
                .values(password_hash=hash_password(new), password_changed_at=now, failed_logins=0)
            )
            revoke_everything(conn, user.id, keep_session=session)
            audit.record("password_changed", user=user, object_type="user", object_id=user.username, ip=ip, conn=conn)
    if refused is not None:
        raise refused


def issue_token(user: CurrentUser, *, ip: str | None = None, engine: Engine | None = None) -> tuple[str, dt.datetime]:
    token = new_token()
    expires = _now() + TOKEN_TTL
    with (engine or get_engine()).begin() as conn:
        conn.execute(
            insert(TOKENS).values(user_id=user.id, token_hash=token_digest(token), created_at=_now(), expires_at=expires)
        )
        audit.record("token_issued", user=user, ip=ip, conn=conn)
    return token, expires


def user_for_token(token: str, engine: Engine | None = None) -> CurrentUser | None:
    return _holder(tables.api_token, tables.api_token.c.token_hash, token_digest(token), engine)


def revoke_token(token: str, user: CurrentUser, engine: Engine | None = None) -> bool:
    with (engine or get_engine()).begin() as conn:
        n = conn.execute(
            update(TOKENS)
            .where(TOKENS.c.token_hash == token_digest(token), TOKENS.c.user_id == user.id, TOKENS.c.revoked_at.is_(None))
            .values(revoked_at=_now())
        ).rowcount
        audit.record("token_revoked", user=user, conn=conn)
    return n > 0


class Account(TypedDict):
    id: int
    username: str
    full_name: str
    role: str
    agency: str | None
    is_area_admin: bool
    active: bool
    locked_until: dt.datetime | str | None  # as stored: text on SQLite (see create_user)
    approval: str
    areas: list[str]


def list_accounts(manager: CurrentUser, engine: Engine | None = None) -> list[Account]:
    """The accounts a manager may see: all for the system administrator, its province's for an area administrator."""
    if not may(manager, ACCOUNTS_ALL) and not manager.is_area_admin:
        raise refuse(manager, "only administrators manage accounts", object_type="user", engine=engine)
    with (engine or get_engine()).connect() as conn:
        rows = conn.execute(
            # raw: moments as this module keeps them (see create_user)
            text(
                "SELECT u.id, u.username, u.full_name, u.role, u.agency, u.is_area_admin, u.active, u.locked_until, "
                "u.approval, a.area_code FROM user_account u JOIN user_area a ON a.user_id = u.id ORDER BY u.username, a.area_code"
            )
        ).mappings()
        out: dict[int, dict] = {}
        for r in rows:
            entry = out.setdefault(r["id"], dict(r) | {"areas": []})
            entry["areas"].append(r["area_code"])
    accounts = list(out.values())
    if not may(manager, ACCOUNTS_ALL):
        theirs = Scope.within(manager.areas[0])
        accounts = [a for a in accounts if all(theirs.contains(x) for x in a["areas"])]
    for a in accounts:
        a.pop("area_code", None)
    return cast(list[Account], accounts)


def set_active(manager: CurrentUser, username: str, active: bool, engine: Engine | None = None) -> None:
    with (engine or get_engine()).begin() as conn:
        row = _user_row(conn, username=username)
        if row is None:
            raise AccountError(f"no account {username!r}")
        target = _current(conn, row)
        if not _can_manage(manager, target.role, list(target.areas)) or (not may(manager, ACCOUNTS_ALL) and row["is_area_admin"]):
            raise refuse(manager, "you may not change this account", object_type="user", object_id=username, engine=engine)
        conn.execute(update(USERS).where(USERS.c.id == row["id"]).values(active=active))
        if not active:
            revoke_everything(conn, row["id"])
        audit.record(
            "user_changed",
            user=manager,
            object_type="user",
            object_id=username,
            area_code=target.areas[0],
            detail={"before": {"active": bool(row["active"])}, "after": {"active": active}},
            conn=conn,
        )
