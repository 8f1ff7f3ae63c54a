"""TPMAP's published per-area counts of elderly, disabled and chronically ill persons (issue 34, 4): what can be
said of those groups where there is no microdata

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'area_published_group',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('elderly_persons', sa.Integer(), nullable=False),
        sa.Column('disabled_persons', sa.Integer(), nullable=False),
        sa.Column('chronic_patients', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year', 'area_code'),
    )
    # A database that holds published figures already gets the counts of the same files now (the published import
    # writes them from here on), for the areas it holds published figures of; without the files, a re-import fills it.
    import config
    from data_access.db import tuples
    from data_access.published import LEVEL_FILES, group_rows, read_group_files, store_published_groups

    bind = op.get_bind()
    held = sa.text("SELECT year, area_code FROM area_rollup_source WHERE source = 'published'")  # raw: a migration
    areas: dict[int, set[str]] = {}
    for year, code in tuples(bind.execute(held)):
        areas.setdefault(int(year), set()).add(str(code))
    for year, codes in sorted(areas.items()):
        files = [config.DOMAIN_DIR / area_file.format(y=year) for area_file, _key, _patterns in LEVEL_FILES.values()]
        if not all(f.exists() for f in files):
            continue
        rows = [r for r in group_rows(read_group_files(config.DOMAIN_DIR, year)) if r["area_code"] in codes]
        store_published_groups(bind, year, rows)


def downgrade() -> None:
    op.drop_table('area_published_group')
