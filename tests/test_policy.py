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
