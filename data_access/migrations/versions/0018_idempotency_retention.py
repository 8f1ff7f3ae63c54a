"""idempotency keys: kept for the replay window (an index for the purge), and no full citizen ID kept

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_idempotent_request_created', 'idempotent_request', ['created_at'])
    # answers to a citizen-ID reveal held the full ID in clear: dropped (a repeat of such a key reveals again)
    op.execute("UPDATE idempotent_request SET response = NULL WHERE path LIKE '%/citizen-id%'")


def downgrade() -> None:
    op.drop_index('ix_idempotent_request_created', table_name='idempotent_request')
