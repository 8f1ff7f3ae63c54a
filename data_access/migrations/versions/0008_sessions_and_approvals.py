"""server-side sessions; second-approver state of accounts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_session',
    sa.Column('id', sa.String(length=64), nullable=False, comment='sha256 of the cookie secret; the secret is never stored'),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_user_session_user', 'user_session', ['user_id'])
    with op.batch_alter_table('user_account') as b:
        b.add_column(sa.Column('approval', sa.String(length=10), nullable=False, server_default='approved',
                               comment='approved | pending | rejected: accounts that read named records need a second approver'))
        b.add_column(sa.Column('approved_by', sa.String(length=64), nullable=True))
        b.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as b:
        b.drop_column('approved_at')
        b.drop_column('approved_by')
        b.drop_column('approval')
    op.drop_index('ix_user_session_user', table_name='user_session')
    op.drop_table('user_session')
