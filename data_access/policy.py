"""Who may do what: one table of roles and their capabilities (in the spirit of Datasette's actions).

Every "may this user …" in the code asks `may(user, CAPABILITY)`; the old role sets of each module are
derived from this table (`roles_with`). A new role is one row here (and, when it holds named records, its
quota in data_access/accounts.py). Where, as opposed to what, is the area rule of data_access/access.py
(`Scope`: one set of area prefixes as both a Python test and an SQL condition; `CurrentUser.household_scope`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


# The area an account of a role covers: a test of its area codes (given each code's level) and what to say when
# they do not fit. Role names live in this module only (tests/test_structure.py scans the others).
AreaRule = Callable[[list[str], Mapping[str, str]], bool]
TAMBON_QUOTA = 3  # operation teams may reveal full citizen IDs: each tambon has at most this many team accounts


def _country(areas: list[str], levels: Mapping[str, str]) -> bool:
    return areas == ["TH"]


def _province(areas: list[str], levels: Mapping[str, str]) -> bool:
    return len(areas) == 1 and levels[areas[0]] == "province" and areas[0] != "10"


def _bangkok(areas: list[str], levels: Mapping[str, str]) -> bool:
    return areas == ["10"]


def _amphoe(areas: list[str], levels: Mapping[str, str]) -> bool:
    return len(areas) == 1 and levels[areas[0]] == "amphoe" and not areas[0].startswith("10")


def _khet(areas: list[str], levels: Mapping[str, str]) -> bool:
    return len(areas) == 1 and levels[areas[0]] == "amphoe" and areas[0].startswith("10")


def _tambons_of_one_amphoe(areas: list[str], levels: Mapping[str, str]) -> bool:
    return all(levels[x] in ("tambon", "municipality") for x in areas) and len({x[:4] for x in areas}) == 1


@dataclass(frozen=True)
class Role:
    capabilities: frozenset[str]
    creates: tuple[str, ...] = ()  # the roles an area administrator of this role may create, inside its area
    approved_by: tuple[str, ...] = ()  # who approves a new account of this role (it reads named records)
    area_admin_allowed: bool = False  # may be an area administrator
    description: str = field(default="", compare=False)
    area: AreaRule = field(default=_country, compare=False)  # the area an account of this role covers
    area_hint: str = field(default="", compare=False)  # said when the area does not fit
    quota: int | None = None  # active accounts of this role per area (None: no limit)
    tambon_quota: int | None = None  # active accounts of this role per tambon it covers (None: no limit)


ROLES: dict[str, Role] = {
    "national": Role(
        frozenset({HOUSEHOLDS, WHOLE_COUNTRY, COMMITTEES_NATIONAL, REPORTS_READ_ALL}),
        approved_by=("national",),
        description="ศจพ. (national)",
        area_hint="a national account covers the country: --area TH",
    ),
    "province": Role(
        frozenset({HOUSEHOLDS, LOGBOOK_WRITE, TEAM_CAPACITY, COMMITTEES_MANAGE, REPORTS_WRITE}),
        creates=("province", "district", "team"),
        approved_by=("national",),
        area_admin_allowed=True,
        description="ศจพ.จ. (province)",
        area=_province,
        area_hint="a province account covers one province (2 digits, not Bangkok 10)",
        quota=6,
    ),
    "bangkok": Role(
        frozenset({HOUSEHOLDS, LOGBOOK_WRITE, TEAM_CAPACITY, COMMITTEES_MANAGE, REPORTS_WRITE}),
        creates=("bangkok", "bangkok_district", "team"),
        approved_by=("national",),
        area_admin_allowed=True,
        description="ศจพ.กทม. (Bangkok)",
        area=_bangkok,
        area_hint="a Bangkok account covers Bangkok: --area 10",
        quota=5,
    ),
    "district": Role(
        frozenset({HOUSEHOLDS, REVEAL_IDS, LOGBOOK_WRITE, LOGBOOK_APPROVE, COMMITTEES_MANAGE}),
        approved_by=("province",),
        description="ศจพ.อ. (amphoe)",
        area=_amphoe,
        area_hint="a district account covers one amphoe (4 digits, outside Bangkok)",
        quota=2,
    ),
    "bangkok_district": Role(
        frozenset({HOUSEHOLDS, REVEAL_IDS, LOGBOOK_WRITE, LOGBOOK_APPROVE, COMMITTEES_MANAGE}),
        approved_by=("bangkok",),
        description="ศจพ.เขต (Bangkok khet)",
        area=_khet,
        area_hint="a Bangkok district account covers one khet (10xx)",
        quota=1,
    ),
    "team": Role(
        frozenset({HOUSEHOLDS, REVEAL_IDS, LOGBOOK_WRITE}),
        approved_by=("district", "bangkok_district"),
        description="operation team",
        area=_tambons_of_one_amphoe,
        area_hint="an operation team covers one or more tambons (6 digits) of one amphoe",
        tambon_quota=TAMBON_QUOTA,
    ),
    "admin": Role(
        frozenset({ACCOUNTS_ALL, AUDIT_READ, EVERYTHING_ADMINISTRATIVE, REPORTS_READ_ALL}),
        description="system administrator (no household data)",
        area_hint="a system administrator account covers the deployment: --area TH",
    ),
}


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


def may(user: HasRole | None, capability: str) -> bool:
    return user is not None and user.role in ROLES and capability in ROLES[user.role].capabilities


def roles_with(capability: str) -> frozenset[str]:
    return frozenset(name for name, role in ROLES.items() if capability in role.capabilities)


def area_problem(role: str, areas: list[str], levels: Mapping[str, str]) -> str | None:
    """Why these areas (each known, with its level) do not fit the role, or None."""
    rule = ROLES[role]
    return None if rule.area(areas, levels) else rule.area_hint
