"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

from data_access.models import PostGISGeometry


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _multipolygon() -> sa.types.TypeEngine[bytes]:
    # PostGIS geometry in production; WKB bytes on the embedded SQLite default.
    return PostGISGeometry("MULTIPOLYGON").with_variant(sa.LargeBinary(), "sqlite")


def upgrade() -> None:
    op.create_table('area',
    sa.Column('code', sa.String(length=8), nullable=False, comment='TH, or the 2/4/6-digit DOPA code'),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('name_th', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('parent_code', sa.String(length=8), nullable=True),
    sa.Column('has_geometry', sa.Boolean(), nullable=False),
    sa.Column('geom', _multipolygon(), nullable=True),
    sa.Column('geom_display', _multipolygon(), nullable=True, comment='simplified for the map at this level'),
    sa.Column('source', sa.String(length=40), nullable=True, comment='where the row came from: boundaries, published, survey'),
    sa.ForeignKeyConstraint(['parent_code'], ['area.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.create_index('ix_area_level', ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_area_parent_code'), ['parent_code'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_area_geom ON area USING gist (geom)")

    op.create_table('area_indicator_rollup',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('indicator_code', sa.String(length=8), nullable=False),
    sa.Column('welfare_persons', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'area_code', 'source', 'indicator_code')
    )

    op.create_table('area_pattern_rollup',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False, comment='survey | published'),
    sa.Column('pattern', sa.SmallInteger(), nullable=False, comment='0 = not deprived'),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('welfare_persons', sa.Integer(), nullable=False),
    sa.Column('welfare_households', sa.Integer(), nullable=True, comment='null where the source does not give it'),
    sa.PrimaryKeyConstraint('year', 'area_code', 'source', 'pattern')
    )
    with op.batch_alter_table('area_pattern_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_apr_area', ['area_code', 'year'], unique=False)

    op.create_table('area_rollup_source',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=8), nullable=True),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('year', 'area_code', 'source')
    )
    with op.batch_alter_table('area_rollup_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_rollup_source_parent_code'), ['parent_code'], unique=False)

    op.create_table('indicator',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False, comment='TPMAP code such as 2.1'),
    sa.Column('dimension', sa.String(length=12), nullable=False),
    sa.Column('dimension_bit', sa.SmallInteger(), nullable=False),
    sa.Column('jpt_no', sa.SmallInteger(), nullable=True),
    sa.Column('name_th', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'code')
    )
    op.create_table('survey_year',
    sa.Column('year', sa.Integer(), nullable=False, comment='Buddhist-era TPMAP year, e.g. 2561'),
    sa.Column('indicator_set', sa.String(length=40), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('persons', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('household',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.String(length=32), nullable=False),
    sa.Column('tambon_code', sa.String(length=8), nullable=False),
    sa.Column('village_no', sa.SmallInteger(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('pattern', sa.SmallInteger(), nullable=False, comment='5-bit HLEIA deprivation pattern'),
    sa.Column('n_persons', sa.Integer(), nullable=False),
    sa.Column('n_welfare', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tambon_code'], ['area.code'], ),
    sa.ForeignKeyConstraint(['year'], ['survey_year.year'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'house_id', name='uq_household_year_house')
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index('ix_household_year_tambon', ['year', 'tambon_code'], unique=False)

    op.create_table('household_failure',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('household_id', 'indicator_code')
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.String(length=13), nullable=False),
    sa.Column('first_name', sa.Text(), nullable=False),
    sa.Column('last_name', sa.Text(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('welfare_card', sa.Boolean(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'citizen_id', name='uq_person_year_citizen')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_household', ['household_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_household')

    op.drop_table('person')
    op.drop_table('household_failure')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index('ix_household_year_tambon')

    op.drop_table('household')
    op.drop_table('survey_year')
    op.drop_table('indicator')
    with op.batch_alter_table('area_rollup_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_rollup_source_parent_code'))

    op.drop_table('area_rollup_source')
    with op.batch_alter_table('area_pattern_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_apr_area')

    op.drop_table('area_pattern_rollup')
    op.drop_table('area_indicator_rollup')
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_parent_code'))
        batch_op.drop_index('ix_area_level')

    op.drop_table('area')
