"""Boundary import: the shared DOPA set and OCHA COD-AB style files."""
from __future__ import annotations

import geopandas as gpd
import pytest
from sqlalchemy import text

import config
from data_access.areas import ensure_area_codes, import_boundary_set, point_in_tambon
from data_access.db import engine_for
from data_access.schema import upgrade
from geo.boundaries import BoundaryFormatError, read_boundaries


def test_shared_set_loads_every_level(engine):
    with engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT level, COUNT(*) FROM area GROUP BY level")).all())
        with_geom = dict(conn.execute(text("SELECT level, COUNT(*) FROM area WHERE has_geometry GROUP BY level")).all())
    assert counts["province"] == 77 and counts["amphoe"] == 928 and counts["country"] == 1
    assert with_geom["tambon"] == 7425
    assert counts["tambon"] > 7425  # DOPA codes without their own polygon are areas too


def test_point_in_tambon_uses_real_geometry(engine):
    with engine.connect() as conn:
        # Samut Songkhram city hall lies in tambon Mae Klong (750101)
        assert point_in_tambon(conn, "750101", 100.0003, 13.4098) is True
        assert point_in_tambon(conn, "580101", 100.0003, 13.4098) is False


def test_codes_without_geometry_are_created_and_reported(tmp_path, boundaries):
    eng = engine_for(f"sqlite:///{tmp_path / 'b.sqlite'}")
    upgrade(eng)
    import_boundary_set(boundaries, eng)
    with eng.begin() as conn:
        created = ensure_area_codes(conn, {"110151": ("เทศบาล", None), "999901": (None, None)}, "published")
    assert set(created) == {"99", "9999", "999901", "110151"}  # ancestors of an unknown code too
    report = import_boundary_set(boundaries, eng)
    assert "110151" in report.without_geometry and "999901" in report.without_geometry
    assert any("have no geometry" in line for line in report.lines())


def test_cod_ab_files_are_understood(tmp_path, boundaries):
    tambons = gpd.read_file(config.GEO_DIR / "tambons.geojson")
    sub = tambons[tambons["province_code"] == "75"].copy()
    cod = gpd.GeoDataFrame({
        "ADM3_PCODE": "TH" + sub["code"], "ADM3_TH": sub["name_th"], "ADM3_EN": sub["name_en"],
        "ADM2_PCODE": "TH" + sub["parent_code"], "ADM1_PCODE": "TH" + sub["province_code"],
    }, geometry=sub.geometry, crs=4326)
    folder = tmp_path / "cod"
    folder.mkdir()
    cod.to_file(folder / "tha_admbnda_adm3.geojson", driver="GeoJSON")
    result = read_boundaries(folder)
    assert result.layout == "cod-ab"
    codes = {a.code: a for a in result.areas}
    assert codes["750101"].parent_code == "7501" and codes["750101"].level == "tambon"
    assert codes["750101"].geom is not None


def test_unknown_layout_is_refused(tmp_path):
    (tmp_path / "x.geojson").write_text('{"type":"FeatureCollection","features":[]}')
    with pytest.raises(BoundaryFormatError):
        read_boundaries(tmp_path)
