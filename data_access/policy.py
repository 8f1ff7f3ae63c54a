"""Who may do what: one table of roles and their capabilities (in the spirit of Datasette's actions).

Every "may this user …" in the code asks `may(user, CAPABILITY)`; the old role sets of each module are
derived from this table (`roles_with`). A new role is one row here (and, when it holds named records, its
quota in data_access/accounts.py). Where, as opposed to what, is the area rule of data_access/access.py
(`Scope`: one set of area prefixes as both a Python test and an SQL condition; `CurrentUser.household_scope`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

HOUSEHOLDS = "households.read"  # named households of the user's area
WHOLE_COUNTRY = "area.country"  # the user's area is the country, whatever areas the account lists
REVEAL_IDS = "ids.reveal"  # a full citizen ID, one at a time, audited
LOGBOOK_WRITE = "logbook.write"  # visits, needs, help, status, missed people
LOGBOOK_APPROVE = "logbook.approve"  # decide a missed-person request (the district chief)
TEAM_CAPACITY = "teams.capacity"  # set a mentor team's number of households other than the default
COMMITTEES_MANAGE = "committees.manage"  # members, orders and teams of committees below the user's area
COMMITTEES_NATIONAL = "committees.national"  # the national committee
REPORTS_WRITE = "reports.write"  # the province's quarterly report
REPORTS_READ_ALL = "reports.read_all"  # every province's reports
ACCOUNTS_ALL = "accounts.all"  # every account, every role (the system administrator)
AUDIT_READ = "audit.read"  # the whole audit trail
EVERYTHING_ADMINISTRATIVE = "admin.all"  # committees and reports anywhere, no household data


@dataclass(frozen=True)
class Role:
    capabilities: frozenset[str]
    creates: tuple[str, ...] = ()  # the roles an area administrator of this role may create, inside its area
    approved_by: tuple[str, ...] = ()  # who approves a new account of this role (it reads named records)
    area_admin_allowed: bool = False  # may be an area administrator
    description: str = field(default="", compare=False)


ROLES: dict[str, Role] = {
    "national": Role(
        frozenset({HOUSEHOLDS, WHOLE_COUNTRY, COMMITTEES_NATIONAL, REPORTS_READ_ALL}),
        approved_by=("national",),
        description="ศจพ. (national)",
    ),
    "province": Role(
        frozenset({HOUSEHOLDS, LOGBOOK_WRITE, TEAM_CAPACITY, COMMITTEES_MANAGE, REPORTS_WRITE}),
        creates=("province", "district", "team"),
        approved_by=("national",),
        area_admin_allowed=True,
        description="ศจพ.จ. (province)",
    ),
    "bangkok": Role(
        frozenset({HOUSEHOLDS, LOGBOOK_WRITE, TEAM_CAPACITY, COMMITTEES_MANAGE, REPORTS_WRITE}),
        creates=("bangkok", "bangkok_district", "team"),
        approved_by=("national",),
        area_admin_allowed=True,
        description="ศจพ.กทม. (Bangkok)",
    ),
    "district": Role(
        frozenset({HOUSEHOLDS, REVEAL_IDS, LOGBOOK_WRITE, LOGBOOK_APPROVE, COMMITTEES_MANAGE}),
        approved_by=("province",),
        description="ศจพ.อ. (amphoe)",
    ),
    "bangkok_district": Role(
        frozenset({HOUSEHOLDS, REVEAL_IDS, LOGBOOK_WRITE, LOGBOOK_APPROVE, COMMITTEES_MANAGE}),
        approved_by=("bangkok",),
        description="ศจพ.เขต (Bangkok khet)",
    ),
    "team": Role(
        frozenset({HOUSEHOLDS, REVEAL_IDS, LOGBOOK_WRITE}),
        approved_by=("district", "bangkok_district"),
        description="operation team",
    ),
    "admin": Role(
        frozenset({ACCOUNTS_ALL, AUDIT_READ, EVERYTHING_ADMINISTRATIVE, REPORTS_READ_ALL}),
        description="system administrator (no household data)",
    ),
}


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


def may(user: HasRole | None, capability: str) -> bool:
    return user is not None and user.role in ROLES and capability in ROLES[user.role].capabilities


def roles_with(capability: str) -> frozenset[str]:
    return frozenset(name for name, role in ROLES.items() if capability in role.capabilities)
