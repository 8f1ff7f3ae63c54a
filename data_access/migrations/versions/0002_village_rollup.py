"""village rollup: counts per (year, tambon, village, pattern) for the village table under a tambon

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('village_pattern_rollup',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('tambon_code', sa.String(length=8), nullable=False),
    sa.Column('village_no', sa.SmallInteger(), nullable=False),
    sa.Column('pattern', sa.SmallInteger(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('welfare_persons', sa.Integer(), nullable=False),
    sa.Column('welfare_households', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'tambon_code', 'village_no', 'pattern')
    )


def downgrade() -> None:
    op.drop_table('village_pattern_rollup')
