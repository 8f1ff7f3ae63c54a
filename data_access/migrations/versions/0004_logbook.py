"""logbook

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assistance_kind',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_th', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('monetary', sa.Boolean(), nullable=False, comment='money or goods: an amount in baht is expected'),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    # The managed list of assistance kinds; administrators add more rows, not code.
    kinds = sa.table('assistance_kind', sa.column('code', sa.String), sa.column('name_th', sa.Text),
                     sa.column('name_en', sa.Text), sa.column('monetary', sa.Boolean), sa.column('active', sa.Boolean))
    op.bulk_insert(kinds, [
        {"code": "food", "name_th": "อาหาร/ถุงยังชีพ", "name_en": "Food", "monetary": True, "active": True},
        {"code": "housing_repair", "name_th": "ซ่อมแซมบ้าน", "name_en": "Housing repair", "monetary": True, "active": True},
        {"code": "cash_transfer", "name_th": "เงินช่วยเหลือ", "name_en": "Cash transfer", "monetary": True, "active": True},
        {"code": "job_training", "name_th": "ฝึกอาชีพ", "name_en": "Job training", "monetary": False, "active": True},
        {"code": "referral", "name_th": "ส่งต่อหน่วยบริการ", "name_en": "Referral to a service", "monetary": False, "active": True},
        {"code": "welfare_card", "name_th": "ลงทะเบียนบัตรสวัสดิการแห่งรัฐ", "name_en": "Welfare card registration",
         "monetary": False, "active": True},
        {"code": "education_support", "name_th": "ทุนการศึกษา/อุปกรณ์การเรียน", "name_en": "Education support",
         "monetary": True, "active": True},
        {"code": "health_care", "name_th": "ดูแลสุขภาพ/อุปกรณ์การแพทย์", "name_en": "Health care", "monetary": True,
         "active": True},
    ])
    op.create_table('logbook_rollup',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('tambon_code', sa.String(length=8), nullable=False),
    sa.Column('metric', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'tambon_code', 'metric')
    )
    op.create_table('mentor_team',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False, comment='the amphoe or tambon it works in'),
    sa.Column('capacity', sa.SmallInteger(), nullable=False, comment='households; 5 unless the province raises it'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['area.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('logbook_state',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False, comment='bumped by every Logbook write: optimistic locking'),
    sa.Column('status', sa.String(length=20), nullable=True, comment='survival | sufficiency | sustainability'),
    sa.Column('flagged', sa.Boolean(), nullable=False, comment='an inclusion error was recorded'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('household_id')
    )
    op.create_table('member_request',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True, comment='an existing household, or null for a new one'),
    sa.Column('tambon_code', sa.String(length=8), nullable=False),
    sa.Column('village_no', sa.SmallInteger(), nullable=False),
    sa.Column('citizen_id', sa.String(length=13), nullable=False),
    sa.Column('first_name', sa.Text(), nullable=False),
    sa.Column('last_name', sa.Text(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('welfare_card', sa.Boolean(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False, comment='pending | approved | rejected'),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['tambon_code'], ['area.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('member_request', schema=None) as batch_op:
        batch_op.create_index('ix_member_request_tambon', ['tambon_code', 'status'], unique=False)

    op.create_table('mentor',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='official | student | community_leader | volunteer'),
    sa.Column('dimension', sa.String(length=12), nullable=True, comment='the MPI dimension this mentor covers'),
    sa.Column('handed_back_at', sa.DateTime(timezone=True), nullable=True, comment="overloaded official: work handed back to the governor's office"),
    sa.ForeignKeyConstraint(['team_id'], ['mentor_team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('mentor_assignment',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['mentor_team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'household_id')
    )
    op.create_table('need',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('member', sa.SmallInteger(), nullable=True, comment='member number on the household page; null = the whole household'),
    sa.Column('dimension', sa.String(length=12), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False, comment='open | in_progress | resolved'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_household_id'), ['household_id'], unique=False)

    op.create_table('status_change',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('previous', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_change_household_id'), ['household_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('visitor', sa.Text(), nullable=True, comment='who knocked on the door'),
    sa.Column('outcome', sa.String(length=20), nullable=False, comment='verified | not_found | inclusion_error'),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('gps_inside_tambon', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_household_id'), ['household_id'], unique=False)

    op.create_table('assistance',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('dimension', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('agency', sa.Text(), nullable=False),
    sa.Column('amount_baht', sa.Float(), nullable=True),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kind'], ['assistance_kind.code'], ),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assistance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_household_id'), ['household_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('assistance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assistance_household_id'))

    op.drop_table('assistance')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_household_id'))

    op.drop_table('visit')
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_change_household_id'))

    op.drop_table('status_change')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_household_id'))

    op.drop_table('need')
    op.drop_table('mentor_assignment')
    op.drop_table('mentor')
    with op.batch_alter_table('member_request', schema=None) as batch_op:
        batch_op.drop_index('ix_member_request_tambon')

    op.drop_table('member_request')
    op.drop_table('logbook_state')
    op.drop_table('logbook_rollup')
    op.drop_table('mentor_team')
    op.drop_table('assistance_kind')
