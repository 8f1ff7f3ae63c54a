"""Issue 14: one access policy. The role table is the only place a role's rights are written; these tests
pin who may do the things a leak or a forged decision would come from, so a change to the table is a
deliberate one."""

from __future__ import annotations

import pathlib
import re

from data_access import policy
from data_access.access import CurrentUser
from data_access.models import ROLES as STORED_ROLES


def test_the_table_knows_exactly_the_roles_the_database_stores():
    assert tuple(policy.ROLES) == tuple(STORED_ROLES)


def test_who_may_see_names_reveal_ids_write_and_decide():
    assert policy.roles_with(policy.REVEAL_IDS) == {"district", "bangkok_district", "team"}
    assert policy.roles_with(policy.HOUSEHOLDS) == set(STORED_ROLES) - {"admin"}  # the administrator sees no one
    assert policy.roles_with(policy.LOGBOOK_APPROVE) == {"district", "bangkok_district"}
    assert policy.roles_with(policy.ACCOUNTS_ALL) == {"admin"}
    assert not policy.may(None, policy.HOUSEHOLDS)
    assert not policy.may(CurrentUser(1, "x", "x", "no-such-role", ("TH",)), policy.HOUSEHOLDS)


def test_an_area_administrator_creates_only_roles_below_and_beside_it():
    for name, role in policy.ROLES.items():
        assert set(role.creates) <= set(policy.ROLES), name
        assert not role.creates or role.area_admin_allowed, name  # only an area administrator creates accounts
        assert "admin" not in role.creates and "national" not in role.creates, name
        assert set(role.approved_by) <= set(policy.ROLES) - {"admin"}, name


def test_no_module_compares_a_role_by_name():
    """Rights are asked of the table (policy.may), not written as `user.role == "..."` in a module."""
    root = pathlib.Path(__file__).resolve().parent.parent
    pattern = re.compile(r"\.role\s*(==|!=|in|not in)\s*[\"'(]")
    offenders = [
        f"{f.relative_to(root)}:{i}"
        for f in root.glob("*/*.py")
        if f.parts[-2] not in ("tests", ".venv", "bench")
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_a_scope_says_the_same_in_python_and_in_sql():
    """The list (SQL) and the record it links to (Python) are judged by one rule: for every code and
    scope, the SQL condition keeps exactly the codes `contains` accepts, in both SQL forms."""
    import sqlalchemy as sa

    from data_access.access import Scope

    codes = ["10", "1001", "100101", "75", "7501", "750101", "750102", "7502", "75020101", "57", "5701", "TH"]
    scopes = [Scope.nothing(), Scope.country(), Scope(("75",)), Scope(("7501", "57")), Scope(("750101",)), Scope.within("TH")]
    engine = sa.create_engine("sqlite://")
    table = sa.Table("t", sa.MetaData(), sa.Column("code", sa.String))
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"code": c} for c in codes])
        for scope in scopes:
            expected = {c for c in codes if scope.contains(c)}
            params: dict = {}
            by_text = {r[0] for r in conn.execute(sa.text(f"SELECT code FROM t WHERE {scope.where('code', params)}"), params)}
            by_core = set(conn.scalars(sa.select(table.c.code).where(scope.clause(table.c.code))))
            assert by_text == by_core == expected, scope
    # the tambon of a team is inside its amphoe's scope, the amphoe only overlaps the team's
    assert Scope(("7501",)).contains("750101") and not Scope(("750101",)).contains("7501")
    assert Scope(("750101",)).overlaps("7501") and Scope(("750101",)).overlaps("TH")
    assert not Scope(("750101",)).overlaps("7502") and not Scope.nothing().overlaps("TH")


def test_a_user_without_household_rights_has_an_area_but_no_household_scope():
    admin = CurrentUser(1, "a", "a", "admin", ("75",))
    chief = CurrentUser(2, "d", "d", "district", ("7501",))
    assert admin.area_scope.contains("750101") and not admin.household_scope.contains("750101")
    assert chief.household_scope.contains("750101") and not chief.household_scope.contains("7502")
    assert CurrentUser(3, "n", "n", "national", ()).household_scope.contains("10")
