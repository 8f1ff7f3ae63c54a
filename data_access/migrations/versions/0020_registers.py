"""agencies' registers linked by citizen ID (issue 33): the catalogue with the source deck's list, register
versions and rows, the link report's and the coverage gaps' rollups

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

DECK = "สไลด์ 2564 ตารางสถานะข้อมูล (source deck 2564, table of data status)"
# The deck's own list is the starting content; national accounts keep it up to date on /data.
CATALOGUE = [
    ("welfare_card", "ผู้ถือบัตรสวัสดิการแห่งรัฐ", "State welfare card holders", "กระทรวงการคลัง", "Ministry of Finance",
     "linked", "ข้อมูลที่มีอยู่ในระบบ TPMAP (ใช้กำหนดคนจนเป้าหมาย) / already in TPMAP: it defines the target poor"),
    ("farmer_register", "ทะเบียนเกษตรกร (Farmer ONE)", "Farmer register (Farmer ONE)", "กระทรวงเกษตรและสหกรณ์",
     "Ministry of Agriculture and Cooperatives", "linked",
     f"{DECK}: ข้อมูลที่ได้รับจากหน่วยงาน / received from the agency"),
    ("old_age_allowance", "ผู้รับเบี้ยยังชีพผู้สูงอายุ", "Old-age allowance recipients",
     "กรมส่งเสริมการปกครองท้องถิ่น (องค์กรปกครองส่วนท้องถิ่น)", "Department of Local Administration (local governments)",
     "requested", "ไม่อยู่ในตารางของสไลด์ 2564; แฟ้มบ้านพัฒนาคนไทย 2568 แสดงข้อมูลนี้ / not in the deck's table; the Logbook of 2568 shows it"),
    ("disability_allowance", "ผู้รับเบี้ยความพิการ", "Disability allowance recipients",
     "กรมส่งเสริมการปกครองท้องถิ่น (องค์กรปกครองส่วนท้องถิ่น)", "Department of Local Administration (local governments)",
     "requested", "ไม่อยู่ในตารางของสไลด์ 2564; แฟ้มบ้านพัฒนาคนไทย 2568 แสดงข้อมูลนี้ / not in the deck's table; the Logbook of 2568 shows it"),
    ("eef_poor_student", "นักเรียนยากจนพิเศษ (ทุนเสมอภาค)", "Extremely poor students (equity grant)",
     "กองทุนเพื่อความเสมอภาคทางการศึกษา (กสศ.)", "Equitable Education Fund (EEF)",
     "requested", "ไม่อยู่ในตารางของสไลด์ 2564; แฟ้มบ้านพัฒนาคนไทย 2568 แสดงข้อมูลนี้ / not in the deck's table; the Logbook of 2568 shows it"),
    ("assistance_received", "การรับความช่วยเหลือจากภาครัฐ", "Government assistance received",
     "หน่วยงานของรัฐที่ให้ความช่วยเหลือ", "Government agencies giving assistance", "denied",
     f"{DECK}: ข้อมูลการรับความช่วยเหลือ: หน่วยงานเจ้าของข้อมูลไม่ให้สิทธิเข้าถึง หรือไม่มีเลข 13 หลัก / "
     "kept by the owner without access granted, or without a 13-digit ID"),
    ("savings_salary", "ข้อมูลการออมและการเงินเดือน", "Savings and salaries", "หน่วยงานเจ้าของข้อมูล", "The owning agencies",
     "denied", f"{DECK}: ไม่ให้สิทธิเข้าถึง หรือไม่มีเลข 13 หลัก / no access granted, or no 13-digit ID"),
    ("health_welfare", "ข้อมูลการรับสวัสดิการทางสุขภาพ", "Health welfare received", "หน่วยงานเจ้าของข้อมูล",
     "The owning agencies", "denied", f"{DECK}: ไม่ให้สิทธิเข้าถึง หรือไม่มีเลข 13 หลัก / no access granted, or no 13-digit ID"),
    ("loans", "ข้อมูลการกู้ยืมเงิน", "Loans", "หน่วยงานเจ้าของข้อมูล", "The owning agencies",
     "denied", f"{DECK}: ไม่ให้สิทธิเข้าถึง หรือไม่มีเลข 13 หลัก / no access granted, or no 13-digit ID"),
    ("covid_relief", "ข้อมูลการรับเงินเยียวยาผลกระทบ COVID-19", "COVID-19 relief payments", "หน่วยงานเจ้าของข้อมูล",
     "The owning agencies", "denied", f"{DECK}: ไม่ให้สิทธิเข้าถึง หรือไม่มีเลข 13 หลัก / no access granted, or no 13-digit ID"),
]


def upgrade() -> None:
    catalogue = op.create_table(
        'register_catalogue',
        sa.Column('key', sa.String(40), primary_key=True),
        sa.Column('name_th', sa.Text, nullable=False),
        sa.Column('name_en', sa.Text, nullable=False),
        sa.Column('owner_th', sa.Text, nullable=False),
        sa.Column('owner_en', sa.Text, nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('as_of', sa.Date),
        sa.Column('requested_on', sa.Date),
        sa.Column('note', sa.Text),
        sa.Column('updated_at', sa.DateTime(timezone=True)),
        sa.Column('updated_by', sa.String(64)),
    )
    op.bulk_insert(catalogue, [
        {"key": k, "name_th": nt, "name_en": ne, "owner_th": ot, "owner_en": oe, "status": s, "note": n}
        for k, nt, ne, ot, oe, s, n in CATALOGUE
    ])
    op.create_table(
        'register_version',
        sa.Column('register_key', sa.String(40), primary_key=True),
        sa.Column('as_of', sa.Date, primary_key=True),
        sa.Column('rows', sa.Integer, nullable=False),
        sa.Column('persons', sa.Integer, nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('replaced_at', sa.DateTime(timezone=True)),
    )
    op.create_table(
        'register_row',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('register_key', sa.String(40), nullable=False),
        sa.Column('citizen_id', sa.String(13), nullable=False),
        sa.Column('as_of', sa.Date, nullable=False),
        sa.Column('tambon_code', sa.String(8)),
        sa.Column('amount', sa.Float),
        sa.Column('event_date', sa.Date),
        sa.Column('fields', sa.Text, nullable=False),
    )
    op.create_index('ix_register_row_key_citizen', 'register_row', ['register_key', 'citizen_id'])
    op.create_index('ix_register_row_citizen', 'register_row', ['citizen_id'])
    op.create_table(
        'register_link_rollup',
        sa.Column('year', sa.Integer, primary_key=True),
        sa.Column('register_key', sa.String(40), primary_key=True),
        sa.Column('area_code', sa.String(8), primary_key=True),
        sa.Column('kind', sa.String(10), primary_key=True),
        sa.Column('rows', sa.Integer, nullable=False),
        sa.Column('duplicates', sa.Integer, nullable=False),
    )
    op.create_table(
        'register_gap_rollup',
        sa.Column('year', sa.Integer, primary_key=True),
        sa.Column('register_key', sa.String(40), primary_key=True),
        sa.Column('tambon_code', sa.String(8), primary_key=True),
        sa.Column('eligible_persons', sa.Integer, nullable=False),
        sa.Column('served_persons', sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for name in ('register_gap_rollup', 'register_link_rollup', 'register_row', 'register_version', 'register_catalogue'):
        op.drop_table(name)
