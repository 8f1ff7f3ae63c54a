"""The schema. Alembic migrations in data_access/migrations create exactly these tables.

Geometry is PostGIS `geometry(MultiPolygon, 4326)` on PostgreSQL and WKB bytes on the
embedded SQLite default (no SpatiaLite needed for a zero-setup start).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

from data_access import policy
from mpi.lifestages import SEXES, STAGE_KEYS
from mpi.rules import ALL_DIMENSIONS_MASK


class UTCDateTime(TypeDecorator):
    """A moment, always read back time-zone aware in UTC. PostgreSQL keeps the zone (timestamptz); SQLite keeps
    none, and SQLAlchemy writes its values without an offset: values are turned into UTC before they are
    written and a value read without an offset is UTC. (Rows written by hand SQL carry "+00:00" and read the same.)"""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return value


metadata = MetaData()


class PostGISGeometry(UserDefinedType):
    """`geometry(KIND, 4326)` on PostGIS. Values cross the wire as WKB, converted explicitly
    in SQL (ST_GeomFromWKB / ST_AsBinary) by the data-access functions that touch geometry."""

    cache_ok = True

    def __init__(self, kind: str = "GEOMETRY", srid: int = 4326):
        self.kind = kind
        self.srid = srid

    def get_col_spec(self, **_kw: object) -> str:
        return f"geometry({self.kind},{self.srid})"


def geometry(kind: str) -> TypeEngine[bytes]:
    return PostGISGeometry(kind).with_variant(LargeBinary(), "sqlite")


LEVELS = ("country", "province", "amphoe", "tambon", "municipality")

area = Table(
    "area",
    metadata,
    Column("code", String(8), primary_key=True, comment="TH, or the 2/4/6-digit DOPA code"),
    Column("level", String(16), nullable=False, comment="country | province | amphoe | tambon | municipality"),
    Column("name_th", Text),
    Column("name_en", Text),
    Column("parent_code", String(8), ForeignKey("area.code"), index=True),
    Column("has_geometry", Boolean, nullable=False, default=False),
    Column("geom", geometry("MULTIPOLYGON")),
    Column("geom_display", geometry("MULTIPOLYGON"), comment="simplified for the map at this level"),
    Column("source", String(40), comment="where the row came from: boundaries, published, survey"),
    Column("point_lon", Float, comment="a municipal unit (no polygon) is drawn as a symbol here, inside its amphoe"),
    Column("point_lat", Float),
    Column("counted_under", String(8), comment="a tambon whose people TPMAP counts under this municipal unit"),
    Column("label_lon", Float, comment="where a map writes the area's name (inside its largest part)"),
    Column("label_lat", Float),
    Column("west", Float, comment="the geometry's bounding box, degrees: what a map of the area frames"),
    Column("south", Float),
    Column("east", Float),
    Column("north", Float),
)
Index("ix_area_level", area.c.level)

survey_year = Table(
    "survey_year",
    metadata,
    Column("year", Integer, primary_key=True, comment="Buddhist-era TPMAP year, e.g. 2561"),
    Column("indicator_set", String(40), nullable=False),
    Column("imported_at", UTCDateTime()),
    Column("households", Integer),
    Column("persons", Integer),
)

indicator = Table(
    "indicator",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("code", String(8), primary_key=True, comment="TPMAP code such as 2.1"),
    Column("dimension", String(12), nullable=False),
    Column("dimension_bit", SmallInteger, nullable=False),
    Column("jpt_no", SmallInteger),
    Column("name_th", Text, nullable=False),
    Column("name_en", Text, nullable=False),
)

# household's count columns per life stage and sex: (stage, sex, members' column, card holders' column), the names
# the import's and the rollup's SQL spell out (data_access.survey_import, data_access.rollups)
STAGE_COUNT_COLUMNS = tuple((st, sx, f"n_{st}_{sx.lower()}", f"nw_{st}_{sx.lower()}") for st in STAGE_KEYS for sx in SEXES)

household = Table(
    "household",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, ForeignKey("survey_year.year"), nullable=False),
    Column("house_id", String(32), nullable=False),
    Column("tambon_code", String(8), ForeignKey("area.code"), nullable=False),
    Column("village_no", SmallInteger, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    # Derived on import, inside the database, from household_failure and person.
    Column("pattern", SmallInteger, nullable=False, default=0, comment="5-bit HLEIA deprivation pattern"),
    Column("n_persons", Integer, nullable=False, default=0),
    Column("n_welfare", Integer, nullable=False, default=0),
    # Optional survey columns for vulnerable households (null = not supplied) and the bits derived from them.
    Column("head_farming", Boolean, comment="the head reports farming as occupation"),
    Column("farmer_registered", Boolean, comment="someone in the household is on the farmer register (Farmer ONE)"),
    Column("income_per_capita", Float, comment="baht a year"),
    Column("vuln_selection", SmallInteger, comment="mpi.vulnerable selection bits; null = not assessable"),
    Column("vuln_burdens", SmallInteger, comment="mpi.vulnerable burden bits"),
    # The members per life stage and sex, and the card holders among them (issue 34): counted on import from the
    # staged persons, so the life-stage rollup sums households instead of reading every person (migration 0023).
    *(
        Column(name, SmallInteger, nullable=False, server_default="0", comment=comment)
        for stage, sex, persons, welfare in STAGE_COUNT_COLUMNS
        for name, comment in ((persons, f"members of life stage {stage}, sex {sex}"), (welfare, "of them, card holders"))
    ),
    UniqueConstraint("year", "house_id", name="uq_household_year_house"),
)
Index("ix_household_year_tambon", household.c.year, household.c.tambon_code)
# The household lists ask for the MPI-poor households of an area, about 4 in 100 of its households: this index holds
# only those, so a district's list reads about a thousand rows instead of twenty-four thousand (5 ms to under 1 ms
# per query at three provinces). Its predicate is the one data_access.counted writes (all five dimensions' bits), so
# both backends' planners match it.
POOR_PREDICATE = "(pattern & 31) <> 0"
assert ALL_DIMENSIONS_MASK == 31  # the predicate's mask: every dimension's bit
Index(
    "ix_household_poor",
    household.c.year,
    household.c.tambon_code,
    postgresql_where=text(POOR_PREDICATE),  # raw: a partial index's predicate, as the planners must read it
    sqlite_where=text(POOR_PREDICATE),  # raw: the same, for SQLite's planner
)

person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("household_id", Integer, ForeignKey("household.id", ondelete="CASCADE"), nullable=False),
    Column("citizen_id", String(13), nullable=False),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("welfare_card", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("old_age_allowance", Boolean, comment="optional: receives the old-age allowance"),
    Column("disability_allowance", Boolean, comment="optional: receives the disability allowance"),
    Column("chronic_dependent", Boolean, comment="optional: chronically ill and cannot look after themselves"),
    Column("moe_poor_child", Boolean, comment="optional: a poor child in the Ministry of Education's database"),
    UniqueConstraint("year", "citizen_id", name="uq_person_year_citizen"),
)
Index("ix_person_household", person.c.household_id)

household_failure = Table(
    "household_failure",
    metadata,
    Column("household_id", Integer, ForeignKey("household.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_code", String(8), primary_key=True),
)

# --- Rollups: refreshed on import, read at click time -----------------------------------------
# One row per (year, area, source, pattern): summing at most 32 rows answers any dimension switch.
area_pattern_rollup = Table(
    "area_pattern_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("source", String(10), primary_key=True, comment="survey | published"),
    Column("pattern", SmallInteger, primary_key=True, comment="0 = not deprived"),
    Column("households", Integer, nullable=False),
    Column("persons", Integer, nullable=False),
    Column("welfare_persons", Integer, nullable=False),
    Column("welfare_households", Integer, comment="null where the source does not give it"),
)
Index("ix_apr_area", area_pattern_rollup.c.area_code, area_pattern_rollup.c.year)

# What a ranking or a map of every area sums, precomputed per area, source and definition of who is target poor,
# with every dimension counted (mpi.rules.ranking_measures): the national tambon ranking and map read 7,588 rows of
# it instead of summing 250,000 pattern rows (data_access/measures.py; refreshed with the pattern rollup).
area_measure_rollup = Table(
    "area_measure_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("source", String(10), primary_key=True),
    Column("definition", String(10), primary_key=True),
    Column("surveyed", Integer, nullable=False),
    Column("target_poor", Integer, nullable=False),
    Column("deprivations", Integer, nullable=False),
    Column("dim_health", Integer, nullable=False),
    Column("dim_living", Integer, nullable=False),
    Column("dim_education", Integer, nullable=False),
    Column("dim_income", Integer, nullable=False),
    Column("dim_access", Integer, nullable=False),
    Column("crisis_ge3", Integer, nullable=False),
    Column("crisis_basic_needs", Integer, nullable=False),
)

# Persons per life stage and sex (issue 34, survey microdata only): one row per (year, area, stage, sex, pattern),
# where the pattern is the person's household's. Summing at most 31 rows of a stage answers every dimension switch,
# crisis rule and definition for that stage, as area_pattern_rollup does for all ages (mpi.lifestages; ages on the
# edition's survey date). No household count: a household has members of several stages.
area_stage_rollup = Table(
    "area_stage_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("stage", String(10), primary_key=True, comment="mpi.lifestages key: infant | preschool | school | working | elderly"),
    Column("sex", String(1), primary_key=True, comment="M | F"),
    Column("pattern", SmallInteger, primary_key=True, comment="the household's 5-bit pattern; 0 = not deprived"),
    Column("persons", Integer, nullable=False),
    Column("welfare_persons", Integer, nullable=False, comment="of them, holders of the state welfare card"),
)
Index("ix_asr_area", area_stage_rollup.c.area_code, area_stage_rollup.c.year)

# Welfare-registered persons in households failing each indicator. Anyone failing an
# indicator is deprived in its dimension, so while that dimension is selected they are all
# target poor: one number per indicator answers every dimension switch.
area_indicator_rollup = Table(
    "area_indicator_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("source", String(10), primary_key=True),
    Column("indicator_code", String(8), primary_key=True),
    Column("welfare_persons", Integer, nullable=False),
    Column("persons", Integer, comment="every member, card or not (the all / no-card definitions); null = not published"),
)

# Villages (survey microdata only): the table under a tambon. Same columns as the area rollup.
village_pattern_rollup = Table(
    "village_pattern_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("tambon_code", String(8), primary_key=True),
    Column("village_no", SmallInteger, primary_key=True),
    Column("pattern", SmallInteger, primary_key=True),
    Column("households", Integer, nullable=False),
    Column("persons", Integer, nullable=False),
    Column("welfare_persons", Integer, nullable=False),
    Column("welfare_households", Integer, nullable=False),
)

# TPMAP's published per-area counts of groups (issue 34, 4), from the `_common` files behind tpmap_<year>_*.csv: the
# area's surveyed elderly, disabled and chronically ill persons, poor or not. Where there is no microdata they are
# what can be said of those groups (published figures carry no ages), shown as published figures. Written by the
# published import in its transaction.
area_published_group = Table(
    "area_published_group",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("elderly_persons", Integer, nullable=False),
    Column("disabled_persons", Integer, nullable=False),
    Column("chronic_patients", Integer, nullable=False),
)

# Which (year, area, source) rollups exist: the children listing reads this, not the big tables.
area_rollup_source = Table(
    "area_rollup_source",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("source", String(10), primary_key=True),
    Column("parent_code", String(8), index=True),
    Column("refreshed_at", UTCDateTime()),
)

# --- Accounts, tokens and the audit trail -------------------------------------------------------
ROLES = tuple(policy.ROLES)  # the role column holds one of these (the names live in data_access/policy.py)

user_account = Table(
    "user_account",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("agency", Text, comment="e.g. the provincial public-health office, for province agency users"),
    Column(
        "is_area_admin",
        Boolean,
        nullable=False,
        default=False,
        comment="the governor's account: manages the accounts of its province",
    ),
    Column("password_hash", Text, nullable=False),
    Column("password_changed_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", Integer),
    Column(
        "approval",
        String(10),
        nullable=False,
        server_default="approved",
        comment="approved | pending | rejected: accounts that read named records need a second approver",
    ),
    Column("approved_by", String(64)),
    Column("approved_at", UTCDateTime()),
)

# Server-side sessions: sign-out, a password change and deactivation end them, whatever the cookie says.
user_session = Table(
    "user_session",
    metadata,
    Column("id", String(64), primary_key=True, comment="sha256 of the cookie secret; the secret is never stored"),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
)
Index("ix_user_session_user", user_session.c.user_id)

# Idempotency-Key: the first answer to a write by this user under this key, returned for every repeat for
# data_access.idempotency.REPLAY_WINDOW (then purged). Which request runs a key is a lock, not this row.
idempotent_request = Table(
    "idempotent_request",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("method", String(8), nullable=False),
    Column("path", String(300), nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("status", Integer, comment="null until the request that owns it has answered (or written)"),
    Column("response", Text, comment="null when not kept (it carried a full citizen ID): a repeat runs again"),
    Column("owner", String(32), comment="the request running it; its writes commit only while it is the owner"),
    Column("created_at", UTCDateTime(), nullable=False),
)
Index("ix_idempotent_request_created", idempotent_request.c.created_at)

# The areas an account covers: one for most roles, the tambons of an operation team.
user_area = Table(
    "user_area",
    metadata,
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("area_code", String(8), ForeignKey("area.code"), primary_key=True),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
    Column(
        "token_hash", String(64), nullable=False, unique=True, comment="sha256 of the token; the token itself is never stored"
    ),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
)

# Append-only (a trigger refuses UPDATE and DELETE). Never holds a full citizen ID or a name.
audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("user_id", Integer),
    Column("username", String(64)),
    Column("action", String(40), nullable=False),
    Column("object_type", String(20)),
    Column("object_id", String(64)),
    Column("area_code", String(8)),
    Column("detail", Text, comment="JSON: filters, before/after of a change"),
    Column("ip", String(45)),
)
Index("ix_audit_at", audit_event.c.at)
Index("ix_audit_user", audit_event.c.username, audit_event.c.at)

# --- The Logbook (แฟ้มบ้านพัฒนาคนไทย) -------------------------------------------------------------
# Kept apart from the survey: nothing here changes a survey row or a survey rollup.
logbook_state = Table(  # one row per household that has Logbook records: its version and current status
    "logbook_state",
    metadata,
    Column("household_id", Integer, ForeignKey("household.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False, default=0, comment="bumped by every Logbook write: optimistic locking"),
    Column("status", String(20), comment="survival | sufficiency | sustainability"),
    Column("flagged", Boolean, nullable=False, default=False, comment="an inclusion error was recorded"),
    Column("updated_at", UTCDateTime()),
    Column("updated_by", String(64)),
)

visit = Table(
    "visit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", Integer, ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("visited_on", Date, nullable=False),
    Column("visitor", Text, comment="who knocked on the door"),
    Column("outcome", String(20), nullable=False, comment="verified | not_found | inclusion_error"),
    Column("note", Text),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("gps_inside_tambon", Boolean),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
)

need = Table(
    "need",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", Integer, ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("member", SmallInteger, comment="member number on the household page; null = the whole household"),
    Column("dimension", String(12), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(12), nullable=False, comment="open | in_progress | resolved"),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_at", UTCDateTime()),
    Column("updated_by", String(64)),
)

assistance_kind = Table(
    "assistance_kind",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name_th", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("monetary", Boolean, nullable=False, default=False, comment="money or goods: an amount in baht is expected"),
    Column("active", Boolean, nullable=False, default=True),
)

assistance = Table(
    "assistance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", Integer, ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("given_on", Date, nullable=False),
    Column("dimension", String(12), nullable=False),
    Column("kind", String(32), ForeignKey("assistance_kind.code"), nullable=False),
    Column("agency", Text, nullable=False),
    Column("amount_baht", Float),
    Column("need_id", Integer, ForeignKey("need.id")),
    Column("visit_id", Integer, ForeignKey("visit.id")),
    Column("note", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
)

status_change = Table(
    "status_change",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", Integer, ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("previous", String(20)),
    Column("reason", Text, nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("changed_by", String(64), nullable=False),
)

member_request = Table(  # exclusion errors: a person or household the survey missed, pending the district chief
    "member_request",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("household_id", Integer, ForeignKey("household.id"), comment="an existing household, or null for a new one"),
    Column("tambon_code", String(8), ForeignKey("area.code"), nullable=False),
    Column("village_no", SmallInteger, nullable=False),
    Column("citizen_id", String(13), nullable=False),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("welfare_card", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("status", String(10), nullable=False, comment="pending | approved | rejected"),
    Column("reason", Text),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("decided_at", UTCDateTime()),
    Column("decided_by", String(64)),
)
Index("ix_member_request_tambon", member_request.c.tambon_code, member_request.c.status)

mentor_team = Table(
    "mentor_team",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("area_code", String(8), ForeignKey("area.code"), nullable=False, comment="the amphoe or tambon it works in"),
    Column("capacity", SmallInteger, nullable=False, default=5, comment="households; 5 unless the province raises it"),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
)

mentor = Table(
    "mentor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", Integer, ForeignKey("mentor_team.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False, comment="official | student | community_leader | volunteer"),
    Column("dimension", String(12), comment="the MPI dimension this mentor covers"),
    Column("handed_back_at", UTCDateTime(), comment="overloaded official: work handed back to the governor's office"),
)

mentor_assignment = Table(
    "mentor_assignment",
    metadata,
    Column("team_id", Integer, ForeignKey("mentor_team.id", ondelete="CASCADE"), primary_key=True),
    Column("household_id", Integer, ForeignKey("household.id", ondelete="CASCADE"), primary_key=True),
    Column("assigned_at", UTCDateTime(), nullable=False),
    Column("assigned_by", String(64), nullable=False),
)

# Logbook progress per tambon, refreshed in the same transaction as every Logbook write; higher
# levels are sums of these rows. metric: visited, helped, flagged, flagged_tp, added, status:<s>,
# open_needs:<dimension>, baht:<agency>.
logbook_rollup = Table(
    "logbook_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("tambon_code", String(8), primary_key=True),
    Column("metric", String(80), primary_key=True),
    Column("value", Float, nullable=False),
)

# --- Priority targeting: named shortlists of areas or households ------------------------------------
shortlist = Table(
    "shortlist",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(32), nullable=False, unique=True, comment="the share link: /shortlists/<token>"),
    Column("name", Text, nullable=False),
    Column("kind", String(10), nullable=False, comment="areas | households"),
    Column("year", Integer, nullable=False),
    Column("rule", String(40), comment="the crisis rule it was ranked by"),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

shortlist_item = Table(
    "shortlist_item",
    metadata,
    Column("shortlist_id", Integer, ForeignKey("shortlist.id", ondelete="CASCADE"), primary_key=True),
    Column("position", SmallInteger, primary_key=True),
    Column("ref", String(32), nullable=False, comment="an area code or a house id"),
)

# --- Committees (ศจพ.) and their establishment orders ----------------------------------------------
committee_unit = Table(
    "committee_unit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "kind", String(20), nullable=False, comment="national | province | bangkok | district | bangkok_district | operation_team"
    ),
    Column("area_code", String(8), ForeignKey("area.code"), nullable=False),
    Column("name", Text, nullable=False),
    Column("changed_on", Date, comment="last change of members; a new order is due within 30 days of it"),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    UniqueConstraint("kind", "area_code", "name", name="uq_committee_unit"),
)

committee_member = Table(
    "committee_member",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", Integer, ForeignKey("committee_unit.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("position", String(24), nullable=False, comment="chair | vice_chair | member | secretary | assistant_secretary"),
    Column("agency", Text),
    Column("added_on", Date, nullable=False),
    Column("removed_on", Date),
    Column("created_by", String(64), nullable=False),
)

committee_order = Table(
    "committee_order",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", Integer, ForeignKey("committee_unit.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("order_no", String(40), nullable=False, comment="as written on the order, e.g. 1234/2564"),
    Column("order_date", Date, nullable=False, comment="the date the order was signed (stored in the Common Era)"),
    Column("filed_on", Date, nullable=False, comment="the date it was uploaded here"),
    Column("filename", Text, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", UTCDateTime(), nullable=False),
)

# --- Quarterly reports of each province (and Bangkok) ----------------------------------------------
quarterly_report = Table(
    "quarterly_report",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("province_code", String(8), ForeignKey("area.code"), nullable=False),
    Column("fiscal_year", Integer, nullable=False, comment="Thai fiscal year, Buddhist era: 2564 runs Oct 2020 - Sep 2021"),
    Column("quarter", SmallInteger, nullable=False),
    Column("status", String(10), nullable=False, comment="draft | submitted"),
    Column("progress", Text),
    Column("obstacles", Text),
    Column("suggestions", Text),
    Column("figures", Text, comment="JSON snapshot of the filled-in figures, frozen on submission"),
    Column("version", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("submitted_at", UTCDateTime()),
    Column("submitted_by", String(64)),
    UniqueConstraint("province_code", "fiscal_year", "quarter", name="uq_quarterly_report"),
)

# Vulnerable households per area: (selection bits, burden bits) → households and persons (survey source only).
vulnerable_rollup = Table(
    "vulnerable_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("selection", SmallInteger, primary_key=True),
    Column("burdens", SmallInteger, primary_key=True),
    Column("households", Integer, nullable=False),
    Column("persons", Integer, nullable=False),
)

# --- Editions over time (issue 15) ------------------------------------------------------------------
published_headline = Table(  # headline figures of an edition as TPMAP or the press published them; absent = not received
    "published_headline",
    metadata,
    Column("year", Integer, primary_key=True, comment="TPMAP edition, Buddhist era"),
    Column("area_code", String(8), ForeignKey("area.code"), primary_key=True),
    Column("surveyed_households", Integer),
    Column("surveyed_persons", Integer),
    Column("poor_households", Integer, comment="jpt-poor: failing at least one indicator"),
    Column("poor_persons", Integer),
    Column("target_poor_persons", Integer),
    Column("target_poor_rate_pct", Float, comment="as published, per cent of surveyed persons"),
    Column("rank_type", String(8), comment="most | least | single: how the press listed the province"),
    Column("rank", SmallInteger),
    Column("basis", Text, comment="the survey and welfare data the edition rests on, as the source words it"),
    Column("status", Text, nullable=False, comment="VERIFIED / DERIVED / … as the shared file says"),
    Column("source_url", Text),
    Column("notes", Text),
    Column("imported_at", UTCDateTime(), nullable=False),
    Column(
        "disputed",
        Boolean,
        nullable=False,
        default=False,
        comment="the source itself doubts which area the figure is of: kept and shown, never counted",
    ),
)

flow_rollup = Table(  # persons and households followed between consecutive editions, per area (refreshed on import)
    "flow_rollup",
    metadata,
    Column("year_from", Integer, primary_key=True),
    Column("year_to", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("definition", String(10), primary_key=True, comment="registered | all | nocard | edition (each its own)"),
    Column("dimension", String(12), primary_key=True, comment="all (deprived in any) or one dimension"),
    Column("stayed_persons", Integer, nullable=False, comment="target poor in both editions, in this area in both"),
    Column("exited_persons", Integer, nullable=False, comment="target poor in `from`, in the area in `to` but not target poor"),
    Column("entered_persons", Integer, nullable=False, comment="target poor in `to`, not target poor here in `from`"),
    Column("left_survey_persons", Integer, nullable=False, comment="target poor in `from`, not in the area's `to` survey"),
    Column("stayed_households", Integer, nullable=False),
    Column("exited_households", Integer, nullable=False),
    Column("entered_households", Integer, nullable=False),
    Column("left_survey_households", Integer, nullable=False),
    Column("refreshed_at", UTCDateTime(), nullable=False),
)

# The person flows of flow_rollup per life stage (issue 34, data_access.flows): a person's stage on the `from`
# edition's survey date for stayed, exited and left_survey, on the `to` edition's for entered, so the stages add up to
# the all-ages flow. No household flows: a household has members of several stages. A stage with nobody in any flow
# has no row (read as zeros).
flow_stage_rollup = Table(
    "flow_stage_rollup",
    metadata,
    Column("year_from", Integer, primary_key=True),
    Column("year_to", Integer, primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("definition", String(10), primary_key=True, comment="registered | all | nocard | edition (each its own)"),
    Column("dimension", String(12), primary_key=True, comment="all (deprived in any) or one dimension"),
    Column("stage", String(10), primary_key=True, comment="mpi.lifestages key: infant | preschool | school | working | elderly"),
    Column("stayed_persons", Integer, nullable=False),
    Column("exited_persons", Integer, nullable=False),
    Column("entered_persons", Integer, nullable=False),
    Column("left_survey_persons", Integer, nullable=False),
)

# Did the help reach those who got out? The `from` edition's target-poor households of each unit, by the help the
# Logbook recorded for them while that edition was current (help: a dimension, "any" or "none") and by what became
# of them in the next edition (stayed | exited | left_survey). Refreshed on import and by every Logbook write to such
# a household, so the table on the area page sums a few rows per unit.
help_outcome_rollup = Table(
    "help_outcome_rollup",
    metadata,
    Column("year_from", Integer, primary_key=True),
    Column("year_to", Integer, primary_key=True),
    Column("tambon_code", String(8), primary_key=True, comment="the household's unit in `from` (tambon or municipal unit)"),
    Column("help", String(12), primary_key=True, comment="a dimension of help, any, or none"),
    Column("outcome", String(12), primary_key=True, comment="stayed | exited | left_survey"),
    Column("households", Integer, nullable=False),
)

# Rate-limit windows shared by every worker and app server on one PostgreSQL database (data_access.ratelimit): one
# counter per kind, key and fixed window; the limit is read over the current and the previous window. The key is a
# digest (an address or an account name is not stored here).
rate_window = Table(
    "rate_window",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("key_digest", String(32), primary_key=True),
    Column("slot", BigInteger, primary_key=True, comment="the window's number: epoch seconds // window length"),
    Column("hits", Integer, nullable=False),
)

# An account that read more household records or revealed more citizen IDs in an hour than a person's work needs:
# blocked (user_account.active false, its sessions and tokens revoked) until an administrator closes the alert.
abuse_alert = Table(
    "abuse_alert",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False, comment="record_views | id_reveals"),
    Column("threshold", Integer, nullable=False, comment="the events per hour the account went past"),
    Column("raised_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime()),
    Column("closed_by", Integer, ForeignKey("user_account.id")),
    Column("outcome", String(16), comment="reactivated | kept_blocked"),
)

# --- Agencies' registers linked by citizen ID (issue 33; data_access/registers.py) -------------------------------
# The catalogue: every agency dataset the committee tracks, declared kinds (mpi/data/registers.json) and the deck's
# others alike, with where it stands in the deck's words. Public: the list and the statuses, never the rows.
register_catalogue = Table(
    "register_catalogue",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("name_th", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("owner_th", Text, nullable=False),
    Column("owner_en", Text, nullable=False),
    Column("status", String(12), nullable=False, comment="linked | requested | denied | no_key"),
    Column("as_of", Date, comment="the date of the data loaded (the current version)"),
    Column("requested_on", Date, comment="when the data were asked for"),
    Column("note", Text),
    Column("updated_at", UTCDateTime()),
    Column("updated_by", String(64)),
)

# One row per loaded file of a register: the current version is the one with replaced_at null.
register_version = Table(
    "register_version",
    metadata,
    Column("register_key", String(40), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("rows", Integer, nullable=False),
    Column("persons", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
    Column("replaced_at", UTCDateTime(), comment="null: the register's current version"),
)

# The current version's rows. Personal data: read only through data_access.registers, scoped like survey persons.
register_row = Table(
    "register_row",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("register_key", String(40), nullable=False),
    Column("citizen_id", String(13), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("tambon_code", String(8), comment="the address the register holds, if any: places a row that does not link"),
    Column("amount", Float, comment="the kind's amount column, if it has one (baht)"),
    Column("event_date", Date, comment="the kind's first date column, if it has one"),
    Column("fields", Text, nullable=False, comment="every other declared column, as JSON"),
)
Index("ix_register_row_key_citizen", register_row.c.register_key, register_row.c.citizen_id)
Index("ix_register_row_citizen", register_row.c.citizen_id)

# Link report per edition, register and place: `linked` rows sit at the surveyed person's unit (tambon or municipal
# unit); rows that do not link sit at the place the register gives (its tambon_code, else the amphoe that issued the
# ID), as `unlinked`, `outside` (a province the edition did not survey) or `unplaced` (no known area: counted for TH).
register_link_rollup = Table(
    "register_link_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("register_key", String(40), primary_key=True),
    Column("area_code", String(8), primary_key=True),
    Column("kind", String(10), primary_key=True, comment="linked | unlinked | outside | unplaced"),
    Column("rows", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False, comment="rows beyond the first of one citizen ID here"),
)

# Coverage gaps per edition, register (its gap rule) and unit: target-poor persons eligible, and of them on the register.
register_gap_rollup = Table(
    "register_gap_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("register_key", String(40), primary_key=True),
    Column("tambon_code", String(8), primary_key=True),
    Column("eligible_persons", Integer, nullable=False),
    Column("served_persons", Integer, nullable=False),
)
