"""idempotency keys: the request that owns a key (its writes commit only while it does)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('idempotent_request', sa.Column(
        'owner', sa.String(length=32), nullable=True,
        comment='the request running it; its writes commit only while it is the owner'))


def downgrade() -> None:
    with op.batch_alter_table('idempotent_request') as batch:
        batch.drop_column('owner')
