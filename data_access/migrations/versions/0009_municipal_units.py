"""municipal units: a level of their own, a point to draw them at, tambons counted under them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # "municipality" is 12 characters; SQLite does not enforce VARCHAR lengths (and would need a table copy)
        op.alter_column('area', 'level', type_=sa.String(length=16), existing_nullable=False)
    op.add_column('area', sa.Column('point_lon', sa.Float(), nullable=True))
    op.add_column('area', sa.Column('point_lat', sa.Float(), nullable=True))
    op.add_column('area', sa.Column('counted_under', sa.String(length=8), nullable=True))
    # 6-digit codes ending 51-99 are municipal units, never DOPA tambons (created earlier as "tambon")
    op.execute("UPDATE area SET level = 'municipality' WHERE level = 'tambon' AND length(code) = 6 "
               "AND CAST(substr(code, 5, 2) AS INTEGER) >= 51")


def downgrade() -> None:
    op.execute("UPDATE area SET level = 'tambon' WHERE level = 'municipality'")
    with op.batch_alter_table('area') as b:
        b.drop_column('counted_under')
        b.drop_column('point_lat')
        b.drop_column('point_lon')
