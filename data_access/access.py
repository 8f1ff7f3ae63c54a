"""Who may see which households: the one place the area rule lives.

A user covers one or more areas (a province, an amphoe, the tambons of an operation team, or
the country). A household is visible when its tambon code starts with one of them. National
users cover the country. The system administrator manages accounts and reads the audit trail
but covers no households: nobody sees named records without a reason in the committee structure.

Not yours or not there: a record outside the user's area (a household, a member request, a mentor team, a
household shortlist) gets the answer of a record that does not exist, 404, with the refusal in the audit trail
(record_refusal). An area outside it is refused, 403: areas are public, only what is in them is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, false, or_, true

from data_access.errors import Forbidden, RateLimited, Unauthorized  # noqa: F401 - raised and caught as access.*
from data_access.policy import HOUSEHOLDS, REVEAL_IDS, WHOLE_COUNTRY, may, roles_with

# Roles that work with people by name in the field and may reveal a full citizen ID, one at a time.
FULL_ID_ROLES = roles_with(REVEAL_IDS)
HOUSEHOLD_ROLES = roles_with(HOUSEHOLDS)


def refuse(
    user: CurrentUser | None,
    message: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    area_code: str | None = None,
    engine: Engine | None = None,
) -> Forbidden:
    """A 403 written to the audit trail at the place that decided it (so a Dash callback that catches the
    error, an API route and an export all leave the same row). Use as `raise refuse(user, "...")`."""
    record_refusal(user, message, object_type=object_type, object_id=object_id, area_code=area_code, engine=engine)
    return Forbidden(message, audited=True)


def record_refusal(
    user: CurrentUser | None,
    reason: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    area_code: str | None = None,
    engine: Engine | None = None,
) -> None:
    """A refused request in the audit trail. On its own (without refuse's 403) for a record outside the user's
    area: that is answered exactly as a record that does not exist (the caller's own "not found"), so that no one
    learns what exists outside their area, and only the trail tells the two apart."""
    from data_access import audit

    audit.record(
        "access_denied",
        user=user,
        object_type=object_type,
        object_id=object_id,
        area_code=area_code,
        detail={"reason": reason[:200]},
        engine=engine,
    )


@dataclass(frozen=True)
class Scope:
    """A set of areas given by code prefixes, in the two forms the code needs: a Python test for one
    record and an SQL condition for a query. Both forms come from the same prefixes, so a list and the
    record it links to can never disagree about who may see what."""

    prefixes: tuple[str, ...] = ()
    everywhere: bool = False

    @classmethod
    def nothing(cls) -> Scope:
        return cls()

    @classmethod
    def country(cls) -> Scope:
        return cls(everywhere=True)

    @classmethod
    def within(cls, code: str) -> Scope:
        """An area and everything below it."""
        return cls.country() if code == "TH" else cls((code,))

    def contains(self, code: str) -> bool:
        """The whole area (a tambon, an amphoe, …) lies inside the scope."""
        return self.everywhere or any(str(code).startswith(p) for p in self.prefixes)

    def overlaps(self, code: str) -> bool:
        """Some part of the area lies inside the scope (it contains the scope, or the scope contains it)."""
        if self.everywhere:
            return True
        if not self.prefixes:
            return False
        return code == "TH" or any(str(code).startswith(p) or p.startswith(str(code)) for p in self.prefixes)

    def where(self, column: str, params: dict, name: str = "scope") -> str:
        """The SQL condition (text form) that keeps rows whose `column` lies inside the scope; binds its
        parameters into `params` under `name0`, `name1`, …"""
        if self.everywhere:
            return "1 = 1"
        if not self.prefixes:
            return "1 = 0"
        for i, p in enumerate(self.prefixes):
            params[f"{name}{i}"] = p + "%"
        return "(" + " OR ".join(f"{column} LIKE :{name}{i}" for i in range(len(self.prefixes))) + ")"

    def clause(self, column: ColumnElement[str]) -> ColumnElement[bool]:
        """The same condition for SQLAlchemy Core queries over the declared tables."""
        if self.everywhere:
            return true()
        if not self.prefixes:
            return false()
        return or_(*(column.like(p + "%") for p in self.prefixes))


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    full_name: str
    role: str
    areas: tuple[str, ...]
    is_area_admin: bool = False

    @property
    def covers_country(self) -> bool:
        return may(self, WHOLE_COUNTRY) or "TH" in self.areas

    @property
    def may_see_households(self) -> bool:
        return may(self, HOUSEHOLDS)

    @property
    def area_scope(self) -> Scope:
        """The user's area, whatever the role may do in it (committees, reports, teams)."""
        return Scope.country() if self.covers_country else Scope(tuple(a for a in self.areas if a != "TH"))

    @property
    def household_scope(self) -> Scope:
        """Where the user may read named households: the area, when the role reads households at all."""
        return self.area_scope if self.may_see_households else Scope.nothing()

    @property
    def may_reveal_ids(self) -> bool:
        return may(self, REVEAL_IDS)

    def covers(self, tambon_code: str) -> bool:
        """Whether a household in this tambon is within the user's area."""
        return self.household_scope.contains(tambon_code)

    def overlaps(self, area_code: str) -> bool:
        """Whether any part of an area is within the user's area (the area contains theirs, or theirs contains it)."""
        return self.household_scope.overlaps(area_code)


def require_user(user: CurrentUser | None) -> CurrentUser:
    if user is None:
        raise Unauthorized("sign in to see household data")
    return user


def household_clause(user: CurrentUser | None, column: ColumnElement[str]) -> ColumnElement[bool]:
    """The Core condition that keeps only the user's households. Raises if the user may see none."""
    user = require_user(user)
    if not user.may_see_households:
        raise refuse(user, f"the role {user.role!r} has no access to household records", object_type="household")
    return user.household_scope.clause(column)
