"""the person flows between consecutive editions per life stage (issue 34, 6): who of the poor elderly or children
stayed, got out, entered or left

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'flow_stage_rollup',
        sa.Column('year_from', sa.Integer(), nullable=False),
        sa.Column('year_to', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('definition', sa.String(length=10), nullable=False,
                  comment='registered | all | nocard | edition (each its own)'),
        sa.Column('dimension', sa.String(length=12), nullable=False, comment='all (deprived in any) or one dimension'),
        sa.Column('stage', sa.String(length=10), nullable=False,
                  comment='mpi.lifestages key: infant | preschool | school | working | elderly'),
        sa.Column('stayed_persons', sa.Integer(), nullable=False),
        sa.Column('exited_persons', sa.Integer(), nullable=False),
        sa.Column('entered_persons', sa.Integer(), nullable=False),
        sa.Column('left_survey_persons', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year_from', 'year_to', 'area_code', 'definition', 'dimension', 'stage'),
    )
    # A database that holds survey editions already gets its rows now, by the refresh an import runs (as 0013 does);
    # it rewrites flow_rollup and help_outcome_rollup with the same figures.
    from data_access.flows import refresh_flows, survey_years

    bind = op.get_bind()
    for year in survey_years(bind)[1:]:
        refresh_flows(bind, year)


def downgrade() -> None:
    op.drop_table('flow_stage_rollup')
