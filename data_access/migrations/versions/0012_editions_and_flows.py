"""editions over time: published headline figures of later editions, and flows of persons and households
followed between two editions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'published_headline',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('surveyed_households', sa.Integer(), nullable=True),
        sa.Column('surveyed_persons', sa.Integer(), nullable=True),
        sa.Column('poor_households', sa.Integer(), nullable=True),
        sa.Column('poor_persons', sa.Integer(), nullable=True),
        sa.Column('target_poor_persons', sa.Integer(), nullable=True),
        sa.Column('target_poor_rate_pct', sa.Float(), nullable=True),
        sa.Column('rank_type', sa.String(length=8), nullable=True),
        sa.Column('rank', sa.SmallInteger(), nullable=True),
        sa.Column('basis', sa.Text(), nullable=True),
        sa.Column('status', sa.Text(), nullable=False),
        sa.Column('source_url', sa.Text(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['area_code'], ['area.code']),
        sa.PrimaryKeyConstraint('year', 'area_code'),
    )
    op.create_table(
        'flow_rollup',
        sa.Column('year_from', sa.Integer(), nullable=False),
        sa.Column('year_to', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('stayed_persons', sa.Integer(), nullable=False),
        sa.Column('exited_persons', sa.Integer(), nullable=False),
        sa.Column('entered_persons', sa.Integer(), nullable=False),
        sa.Column('left_survey_persons', sa.Integer(), nullable=False),
        sa.Column('stayed_households', sa.Integer(), nullable=False),
        sa.Column('exited_households', sa.Integer(), nullable=False),
        sa.Column('entered_households', sa.Integer(), nullable=False),
        sa.Column('left_survey_households', sa.Integer(), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('year_from', 'year_to', 'area_code'),
    )


def downgrade() -> None:
    op.drop_table('flow_rollup')
    op.drop_table('published_headline')
