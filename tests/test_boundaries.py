"""Boundary import: the shared DOPA set and OCHA COD-AB style files."""

from __future__ import annotations

from pathlib import Path

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
        created = ensure_area_codes(
            conn, {"110151": ("เทศบาล", None), "999901": (None, None), "999951": (None, None)}, "published"
        )
    # 110151 is a municipal unit the boundary import already made; ancestors of an unknown code are created too
    assert set(created) == {"99", "9999", "999901", "999951"}
    with eng.connect() as conn:
        level, name = conn.execute(text("SELECT level, name_th FROM area WHERE code = '999951'")).one()
    assert level == "municipality" and name == "เขตเทศบาล 1 ของอำเภอ9999 (999951)"
    report = import_boundary_set(boundaries, eng)
    assert "999901" in report.without_geometry and "110151" not in report.without_geometry
    assert any("have no geometry" in line for line in report.lines())


def test_cod_ab_files_are_understood(tmp_path, boundaries):
    tambons = gpd.read_file(config.GEO_DIR / "tambons.geojson")
    sub = tambons[tambons["province_code"] == "75"].copy()
    cod = gpd.GeoDataFrame(
        {
            "ADM3_PCODE": "TH" + sub["code"],
            "ADM3_TH": sub["name_th"],
            "ADM3_EN": sub["name_en"],
            "ADM2_PCODE": "TH" + sub["parent_code"],
            "ADM1_PCODE": "TH" + sub["province_code"],
        },
        geometry=sub.geometry,
        crs=4326,
    )
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


# --- Issue 11: a boundary file cannot corrupt the area tree ------------------------------------------


def _cod_province_set(tmp_path, edit) -> Path:
    provinces = gpd.read_file(config.GEO_DIR / "provinces.geojson")
    sub = provinces[provinces["code"].isin(["75", "58"])].copy()
    frame = gpd.GeoDataFrame(
        {"ADM1_PCODE": "TH" + sub["code"], "ADM1_TH": sub["name_th"], "ADM1_EN": sub["name_en"]},
        geometry=list(sub.geometry),
        crs=4326,
    )
    frame = edit(frame)
    folder = tmp_path / "cod"
    folder.mkdir(exist_ok=True)
    level = "adm3" if "ADM3_PCODE" in frame.columns else "adm1"
    frame.to_file(folder / f"tha_admbnda_{level}.geojson", driver="GeoJSON")
    return folder


@pytest.fixture
def tree(tmp_path, boundaries):
    eng = engine_for(f"sqlite:///{tmp_path / 'tree.sqlite'}")
    upgrade(eng)
    import_boundary_set(boundaries, eng)
    return eng


def _tree_digest(eng) -> list:
    with eng.connect() as conn:
        return conn.execute(
            text("SELECT code, level, parent_code, name_th, has_geometry, length(geom) FROM area ORDER BY code")
        ).all()


def test_a_province_code_in_the_tambon_layer_is_refused(tree, tmp_path):
    from geo.boundaries import BoundaryImportError

    def as_tambons(frame):
        return gpd.GeoDataFrame(
            {"ADM3_PCODE": frame["ADM1_PCODE"], "ADM2_PCODE": frame["ADM1_PCODE"], "ADM3_TH": frame["ADM1_TH"]},
            geometry=frame.geometry,
            crs=4326,
        )

    before = _tree_digest(tree)
    with pytest.raises(BoundaryImportError) as err:
        import_boundary_set(read_boundaries(_cod_province_set(tmp_path, as_tambons)), tree)
    assert any(p.startswith("'75' is not a valid tambon code (6 digits)") for p in err.value.problems)
    assert _tree_digest(tree) == before


def test_a_self_intersecting_polygon_is_repaired_and_named_and_needs_the_replace_flag(tree, tmp_path):
    from shapely.geometry import Polygon

    from data_access.areas import ancestors
    from geo.boundaries import BoundaryImportError

    bowtie = Polygon([(99.9, 13.3), (100.1, 13.5), (100.1, 13.3), (99.9, 13.5), (99.9, 13.3)])

    def damage(frame):
        frame.loc[frame["ADM1_PCODE"] == "TH75", "geometry"] = bowtie
        return frame

    boundaries = read_boundaries(_cod_province_set(tmp_path, damage))
    assert any(n.startswith("75: invalid geometry (Self-intersection") and "repaired" in n for n in boundaries.notes)
    before = _tree_digest(tree)
    with pytest.raises(BoundaryImportError) as err:
        import_boundary_set(boundaries, tree)
    # 58 differs too: the web layer is coarser than the stored hires geometry
    assert any(
        "would replace the stored geometry of 2 area(s) (58, 75)" in p and "--replace-geometry" in p for p in err.value.problems
    ), err.value.problems
    assert _tree_digest(tree) == before
    import_boundary_set(boundaries, tree, replace_geometry=True)
    with tree.connect() as conn:
        import shapely

        stored = shapely.from_wkb(conn.execute(text("SELECT geom FROM area WHERE code = '75'")).scalar())
    assert stored.is_valid and stored.area == pytest.approx(0.02, rel=0.01)
    assert [a["code"] for a in ancestors("75", tree)] == ["TH", "75"]


def test_names_and_parents_are_bounded(tree, tmp_path):
    from geo.boundaries import BoundaryImportError

    def huge_name(frame):
        frame["ADM1_TH"] = ["ก" * 2_000_000, "แม่ฮ่องสอน"]
        return frame

    with pytest.raises(BoundaryImportError) as err:
        import_boundary_set(read_boundaries(_cod_province_set(tmp_path, huge_name)), tree)
    assert any(
        p.startswith("75: name_th is 2,000,000 characters long; at most 200") or p.startswith("58: name_th is 2,000,000")
        for p in err.value.problems
    )
    assert len(str(err.value)) < 5000


def test_a_cycle_in_stored_rows_does_not_hang_a_walk(tree):
    from data_access.areas import ancestors

    with tree.begin() as conn:  # a corrupt database (written by hand, not by the importer)
        conn.execute(text("PRAGMA foreign_keys=OFF"))
        conn.execute(text("UPDATE area SET parent_code = '750101' WHERE code = '75'"))
    chain = ancestors("750101", tree)
    assert len(chain) <= 5
