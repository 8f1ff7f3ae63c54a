"""label points and extents: where a map writes each area's name and the box a map of it frames,
filled in for areas imported before

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from alembic import op
import shapely
import sqlalchemy as sa

from geo.boundaries import label_point

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('area', sa.Column('label_lon', sa.Float(), nullable=True))
    op.add_column('area', sa.Column('label_lat', sa.Float(), nullable=True))
    for side in ('west', 'south', 'east', 'north'):
        op.add_column('area', sa.Column(side, sa.Float(), nullable=True))
    bind = op.get_bind()
    geom = "ST_AsBinary(geom)" if bind.dialect.name == 'postgresql' else "geom"
    rows = bind.execute(sa.text(f"SELECT code, {geom} FROM area WHERE geom IS NOT NULL")).all()
    values = []
    for code, wkb in rows:
        g = shapely.from_wkb(bytes(wkb))  # type: ignore[call-overload]
        p = label_point(g)
        if p:
            values.append({"code": code, "lon": p[0], "lat": p[1], **dict(zip(("w", "s", "e", "n"), g.bounds))})
    if values:
        bind.execute(sa.text("UPDATE area SET label_lon = :lon, label_lat = :lat, west = :w, south = :s, east = :e, "
                             "north = :n WHERE code = :code"), values)


def downgrade() -> None:
    with op.batch_alter_table('area') as b:
        for side in ('north', 'east', 'south', 'west'):
            b.drop_column(side)
        b.drop_column('label_lat')
        b.drop_column('label_lon')
