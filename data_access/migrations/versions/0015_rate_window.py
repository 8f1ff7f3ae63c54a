"""rate-limit windows shared by every worker (data_access.ratelimit), and abuse alerts (data_access.abuse)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rate_window',
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('key_digest', sa.String(length=32), nullable=False),
        sa.Column('slot', sa.BigInteger(), nullable=False, comment="the window's number: epoch seconds // window length"),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'key_digest', 'slot'),
    )
    op.create_table(
        'abuse_alert',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False, comment='record_views | id_reveals'),
        sa.Column('threshold', sa.Integer(), nullable=False, comment='the events per hour the account went past'),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True, comment='reactivated | kept_blocked'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['closed_by'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_abuse_alert_user_id', 'abuse_alert', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_abuse_alert_user_id', table_name='abuse_alert')
    op.drop_table('abuse_alert')
    op.drop_table('rate_window')
