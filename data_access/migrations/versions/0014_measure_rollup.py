"""the sums a ranking or a national map reads, per area, source and definition (all dimensions, both crisis rules)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

MEASURES = ('surveyed', 'target_poor', 'deprivations', 'dim_health', 'dim_living', 'dim_education', 'dim_income',
            'dim_access', 'crisis_ge3', 'crisis_basic_needs')


def upgrade() -> None:
    op.create_table(
        'area_measure_rollup',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('definition', sa.String(length=10), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
        sa.PrimaryKeyConstraint('year', 'area_code', 'source', 'definition'),
    )
    # derived rows for the years a database holds already, by the statements an import runs (as 0013 does)
    from data_access import measures

    bind = op.get_bind()
    years: list[int] = list(bind.execute(sa.text("SELECT DISTINCT year FROM area_pattern_rollup ORDER BY year")).scalars())
    for year in years:
        measures.refresh(bind, year)


def downgrade() -> None:
    op.drop_table('area_measure_rollup')
