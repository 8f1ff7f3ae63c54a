"""Issue 14: the Alembic migrations build exactly the schema models.py declares (tables, columns, indexes),
on both backends, so code written against the declared tables meets the database it runs on."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from data_access.models import metadata

# PostGIS keeps its own tables in public; they are not the project's
FOREIGN_TABLES = {"spatial_ref_sys", "alembic_version"}
# the spatial (GiST) index the migrations build on PostGIS only; SQLite keeps geometry as WKB bytes, unindexed
POSTGIS_ONLY_INDEXES = {"ix_area_geom"}


def _relevant(diff) -> bool:
    kind = diff[0] if isinstance(diff, tuple) else diff[0][0]
    if kind in ("remove_table",) and diff[1].name in FOREIGN_TABLES:
        return False
    if kind == "remove_index" and diff[1].name in POSTGIS_ONLY_INDEXES:
        return False
    if kind in ("modify_comment", "modify_table_comment", "remove_table_comment", "add_table_comment"):
        return False  # comments are documentation (SQLite keeps none)
    return True


def test_migrations_equal_the_declared_tables(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False, "compare_server_default": False})
        diffs = [d for d in compare_metadata(ctx, metadata) if _relevant(d)]
    assert diffs == [], "\n".join(map(str, diffs))
