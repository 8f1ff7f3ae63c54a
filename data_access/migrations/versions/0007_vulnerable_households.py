"""vulnerable households: optional survey columns, derived bits and their rollup

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

HOUSEHOLD = (('head_farming', sa.Boolean()), ('farmer_registered', sa.Boolean()), ('income_per_capita', sa.Float()),
             ('vuln_selection', sa.SmallInteger()), ('vuln_burdens', sa.SmallInteger()))
PERSON = (('old_age_allowance', sa.Boolean()), ('disability_allowance', sa.Boolean()), ('chronic_dependent', sa.Boolean()),
          ('moe_poor_child', sa.Boolean()))


def upgrade() -> None:
    for name, type_ in HOUSEHOLD:
        op.add_column('household', sa.Column(name, type_, nullable=True))
    for name, type_ in PERSON:
        op.add_column('person', sa.Column(name, type_, nullable=True))
    op.create_table('vulnerable_rollup',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('selection', sa.SmallInteger(), nullable=False),
    sa.Column('burdens', sa.SmallInteger(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'area_code', 'selection', 'burdens')
    )


def downgrade() -> None:
    op.drop_table('vulnerable_rollup')
    with op.batch_alter_table('person') as b:
        for name, _ in PERSON:
            b.drop_column(name)
    with op.batch_alter_table('household') as b:
        for name, _ in HOUSEHOLD:
            b.drop_column(name)
