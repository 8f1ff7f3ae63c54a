"""Who may see which households: the one place the area rule lives.

A user covers one or more areas (a province, an amphoe, the tambons of an operation team, or
the country). A household is visible when its tambon code starts with one of them. National
users cover the country. The system administrator manages accounts and reads the audit trail
but covers no households: nobody sees named records without a reason in the committee structure.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    engine=None,
) -> Forbidden:
    """A 403 written to the audit trail at the place that decided it (so a Dash callback that catches the
    error, an API route and an export all leave the same row). Use as `raise refuse(user, "...")`."""
    from data_access import audit

    audit.record(
        "access_denied",
        user=user,
        object_type=object_type,
        object_id=object_id,
        area_code=area_code,
        detail={"reason": message[:200]},
        engine=engine,
    )
    return Forbidden(message, audited=True)


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
    def may_reveal_ids(self) -> bool:
        return may(self, REVEAL_IDS)

    def covers(self, tambon_code: str) -> bool:
        """Whether a household in this tambon is within the user's area."""
        if not self.may_see_households:
            return False
        return self.covers_country or any(tambon_code.startswith(a) for a in self.areas)

    def overlaps(self, area_code: str) -> bool:
        """Whether any part of an area is within the user's area (the area contains theirs, or theirs contains it)."""
        if not self.may_see_households:
            return False
        if self.covers_country or area_code == "TH":
            return True
        return any(area_code.startswith(a) or a.startswith(area_code) for a in self.areas)


def require_user(user: CurrentUser | None) -> CurrentUser:
    if user is None:
        raise Unauthorized("sign in to see household data")
    return user


def household_filter(user: CurrentUser | None, where: list[str], params: dict, column: str = "h.tambon_code") -> None:
    """Append the SQL condition that keeps only the user's households. Raises if the user may see none."""
    user = require_user(user)
    if not user.may_see_households:
        raise refuse(user, f"the role {user.role!r} has no access to household records", object_type="household")
    if user.covers_country:
        return
    ors = []
    for i, a in enumerate(user.areas):
        params[f"scope{i}"] = a + "%"
        ors.append(f"{column} LIKE :scope{i}")
    where.append("(" + " OR ".join(ors) + ")" if ors else "1 = 0")
