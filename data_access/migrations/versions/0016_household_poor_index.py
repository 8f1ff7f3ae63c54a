"""an index of the MPI-poor households only, by year and tambon (the household lists read it)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

PREDICATE = "(pattern & 31) <> 0"


def upgrade() -> None:
    op.create_index(
        'ix_household_poor', 'household', ['year', 'tambon_code'],
        postgresql_where=sa.text(PREDICATE), sqlite_where=sa.text(PREDICATE),
    )


def downgrade() -> None:
    op.drop_index('ix_household_poor', table_name='household')
