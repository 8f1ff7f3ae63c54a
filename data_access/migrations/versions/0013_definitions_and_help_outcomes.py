"""who counts as target poor (registered, all MPI-poor, poor without a card): every member per indicator; flows per
definition and dimension between consecutive editions; help recorded in the Logbook beside what became of the
households

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _flow_table(with_variants: bool) -> None:
    variant = [
        sa.Column('definition', sa.String(length=10), nullable=False),
        sa.Column('dimension', sa.String(length=12), nullable=False),
    ] if with_variants else []
    op.create_table(
        'flow_rollup',
        sa.Column('year_from', sa.Integer(), nullable=False),
        sa.Column('year_to', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        *variant,
        sa.Column('stayed_persons', sa.Integer(), nullable=False),
        sa.Column('exited_persons', sa.Integer(), nullable=False),
        sa.Column('entered_persons', sa.Integer(), nullable=False),
        sa.Column('left_survey_persons', sa.Integer(), nullable=False),
        sa.Column('stayed_households', sa.Integer(), nullable=False),
        sa.Column('exited_households', sa.Integer(), nullable=False),
        sa.Column('entered_households', sa.Integer(), nullable=False),
        sa.Column('left_survey_households', sa.Integer(), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('year_from', 'year_to', 'area_code', *(['definition', 'dimension'] if with_variants else [])),
    )


def upgrade() -> None:
    op.add_column('area_indicator_rollup', sa.Column('persons', sa.Integer(), nullable=True))
    # a press figure printed under one province's name and probably another's: kept, shown, never counted
    op.add_column('published_headline', sa.Column('disputed', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE published_headline SET disputed = TRUE WHERE lower(status) LIKE '%mix-up%' "
               "OR lower(status) LIKE '%same caveat%'")
    # flows are derived data: the table is rebuilt with its new key and filled again below
    op.drop_table('flow_rollup')
    _flow_table(with_variants=True)
    op.create_table(
        'help_outcome_rollup',
        sa.Column('year_from', sa.Integer(), nullable=False),
        sa.Column('year_to', sa.Integer(), nullable=False),
        sa.Column('tambon_code', sa.String(length=8), nullable=False),
        sa.Column('help', sa.String(length=12), nullable=False),
        sa.Column('outcome', sa.String(length=12), nullable=False),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year_from', 'year_to', 'tambon_code', 'help', 'outcome'),
    )
    # A database that already holds survey editions gets its derived rows now, with the project's own refresh code
    # (as 0011 computes label points with geo's): the same statements an import runs.
    from data_access.flows import refresh_flows, survey_years
    from data_access.rollups import refresh_survey_indicators

    bind = op.get_bind()
    years = survey_years(bind)
    for year in years:
        refresh_survey_indicators(bind, year)
    for year in years[1:]:
        refresh_flows(bind, year)


def downgrade() -> None:
    with op.batch_alter_table('published_headline') as b:
        b.drop_column('disputed')
    op.drop_table('help_outcome_rollup')
    op.drop_table('flow_rollup')
    _flow_table(with_variants=False)
    op.drop_column('area_indicator_rollup', 'persons')
