"""persons per area, edition, life stage, sex and household pattern (issue 34): the life-course lens in one read

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'area_stage_rollup',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('stage', sa.String(length=10), nullable=False,
                  comment='mpi.lifestages key: infant | preschool | school | working | elderly'),
        sa.Column('sex', sa.String(length=1), nullable=False, comment='M | F'),
        sa.Column('pattern', sa.SmallInteger(), nullable=False,
                  comment="the household's 5-bit pattern; 0 = not deprived"),
        sa.Column('persons', sa.Integer(), nullable=False),
        sa.Column('welfare_persons', sa.Integer(), nullable=False, comment='of them, holders of the state welfare card'),
        sa.PrimaryKeyConstraint('year', 'area_code', 'stage', 'sex', 'pattern'),
    )
    op.create_index('ix_asr_area', 'area_stage_rollup', ['area_code', 'year'])
    # The rows of the survey years a database holds already: migration 0023 writes them, once the households hold the
    # counts per stage that data_access.rollups.refresh_stage_rollup now sums (it read persons when this was written).


def downgrade() -> None:
    op.drop_index('ix_asr_area', table_name='area_stage_rollup')
    op.drop_table('area_stage_rollup')
