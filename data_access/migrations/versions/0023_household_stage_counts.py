"""each household's members per life stage and sex, and the card holders among them (issue 34): the life-stage
rollup sums households instead of reading every person

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# models.STAGE_COUNT_COLUMNS as this revision adds them: (stage, sex, members' column, card holders' column)
STAGES = ('infant', 'preschool', 'school', 'working', 'elderly')
COLUMNS = tuple((st, sx, f'n_{st}_{sx.lower()}', f'nw_{st}_{sx.lower()}') for st in STAGES for sx in ('M', 'F'))


def upgrade() -> None:
    for stage, sex, persons, welfare in COLUMNS:
        op.add_column('household', sa.Column(persons, sa.SmallInteger(), nullable=False, server_default='0',
                                             comment=f'members of life stage {stage}, sex {sex}'))
        op.add_column('household', sa.Column(welfare, sa.SmallInteger(), nullable=False, server_default='0',
                                             comment='of them, card holders'))
    # the counts of the survey years a database holds already, from their persons, and the stage rollup summed from
    # them (as an import counts and sums them; 0019 left the rollup to this revision)
    from data_access.rollups import refresh_stage_rollup
    from data_access.survey_import import fill_household_stages

    bind = op.get_bind()
    years: list[int] = list(bind.execute(sa.text("SELECT DISTINCT year FROM household ORDER BY year")).scalars())
    for year in years:
        fill_household_stages(bind, year)
        refresh_stage_rollup(bind, year)
    if years and bind.dialect.name == 'postgresql':
        bind.execute(sa.text("ANALYZE household"))


def downgrade() -> None:
    # plain ALTER TABLE … DROP COLUMN on both backends (SQLite 3.35+): no table rebuild under person's foreign key
    for _stage, _sex, persons, welfare in reversed(COLUMNS):
        op.drop_column('household', welfare)
        op.drop_column('household', persons)
