"""accounts, API tokens and the append-only audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('agency', sa.Text(), nullable=True),
    sa.Column('is_area_admin', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('user_area',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['area.code'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'area_code')
    )
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('area_code', sa.String(length=8), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_at', 'audit_event', ['at'])
    op.create_index('ix_audit_user', 'audit_event', ['username', 'at'])
    # The audit trail is append-only for every role the application connects as.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""")
        op.execute("""CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event
                      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""")
    else:
        op.execute("""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
                      BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")
        op.execute("""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
                      BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    op.drop_table('audit_event')
    op.drop_table('api_token')
    op.drop_table('user_area')
    op.drop_table('user_account')
