"""Issue 16: the shape layers the browser downloads, measured on the real boundaries: the bytes of each layer as
sent (brotli, as a browser accepts it), no area lost to simplification, coordinates on the grid of their map,
every ring drawable. Sizes are budgets of bytes, not timings."""

from __future__ import annotations

import json

import brotli
import pytest
import shapely

from geo import shapes

# bytes on the wire (brotli), per layer: the country's first map, a province's, and the national tambon map
BUDGET = {"provinces.json": 30_000, "tambons.json": 200_000}
PROVINCE_BUDGET = 40_000  # any province's amphoes
AMPHOE_BUDGET = 40_000  # any amphoe's tambons


@pytest.fixture(scope="module")
def read(boundaries):
    by_level: dict[str, list] = {}
    for a in boundaries.areas:
        if a.geom_display is not None:
            by_level.setdefault(a.level, []).append(a)

    def rows(kind: str):
        what, _, parent = kind.partition("/")
        level = {"provinces": "province", "amphoes": "amphoe", "tambons": "tambon", "tambons-of": "tambon"}[what]
        chosen = [
            a
            for a in by_level[level]
            if not parent or (a.parent_code == parent if what != "tambons-of" else a.code.startswith(parent))
        ]
        return [(a.code, a.name_th, a.name_en, shapely.to_wkb(a.geom_display)) for a in sorted(chosen, key=lambda a: a.code)]

    return rows


def _sent(data: bytes) -> int:
    return len(brotli.compress(data, quality=11))


@pytest.mark.parametrize("name", list(BUDGET))
def test_the_country_layers_fit_their_budget_and_lose_no_area(read, name):
    data = shapes.build(name, read)
    assert data is not None and _sent(data) <= BUDGET[name], (name, _sent(data))
    layer = json.loads(data)
    codes = [f["properties"]["code"] for f in layer["features"]]
    assert codes == [code for code, *_ in read(name[:-5])]  # every area with geometry is drawn, in code order
    grid = shapes.view_of(name[:-5]).grid
    for f in layer["features"][:50]:
        geom = shapely.geometry.shape(f["geometry"])
        assert geom.is_valid and not geom.is_empty, f["properties"]["code"]
        xy = shapely.get_coordinates(geom)
        # on the map's grid (or the finest one, for an area smaller than a grid cell)
        assert all(abs(v / grid - round(v / grid)) < 1e-6 or abs(v / 1e-4 - round(v / 1e-4)) < 1e-6 for v in xy.ravel()[:200])


def test_every_province_and_amphoe_layer_fits_its_budget(read, boundaries):
    provinces = sorted({a.code for a in boundaries.areas if a.level == "province" and a.geom_display is not None})
    worst = max((_sent(shapes.build(f"amphoes/{p}.json", read)), p) for p in provinces)
    assert worst[0] <= PROVINCE_BUDGET, worst
    amphoes = sorted({a.code for a in boundaries.areas if a.level == "amphoe" and a.geom_display is not None})
    worst = max((_sent(shapes.build(f"tambons/{a}.json", read) or b""), a) for a in amphoes[::7])
    assert worst[0] <= AMPHOE_BUDGET, worst


def test_a_layer_is_only_what_the_map_joins_on():
    """Each feature carries its code alone (names travel with the figure's values, in the reader's language)."""
    square = shapely.Polygon([(100, 13), (100.1, 13), (100.1, 13.1), (100, 13.1)])
    data = shapes.build("provinces.json", lambda kind: [("75", "สมุทรสงคราม", "Samut Songkhram", shapely.to_wkb(square))])
    feature = json.loads(data)["features"][0]
    assert feature["properties"] == {"code": "75"} and set(feature) == {"type", "properties", "geometry"}
    assert shapes.build("nothing.json", lambda kind: []) is None


def test_the_big_shape_files_are_compressed_before_anyone_asks(tmp_path, monkeypatch):
    """Issue 16: a boundary import (and the demo build) writes the country's big shape files and their brotli and
    gzip copies (static_files.shapes_ahead): the first visitor of a fresh deployment waited 3.2 s while the national
    tambon layer was compressed inside their request. The copies hold the file itself."""
    import gzip

    import static_files

    monkeypatch.setattr(static_files, "_cache_dir", lambda: tmp_path / "compressed")
    monkeypatch.setattr(shapes, "cache_dir", lambda: tmp_path / "shapes")
    monkeypatch.setattr(shapes, "PREBUILT", ("provinces.json",))
    square = shapely.to_wkb(shapely.box(98.0, 13.0, 99.0, 14.0))
    read = lambda kind: [("75", "สมุทรสงคราม", "Samut Songkhram", square)] if kind == "provinces" else []  # noqa: E731
    assert static_files.shapes_ahead(read) == 1
    path = tmp_path / "shapes" / "provinces.json"
    br, gz = static_files.kept_copy(path, "br"), static_files.kept_copy(path, "gzip")
    assert br.exists() and gz.exists()
    assert brotli.decompress(br.read_bytes()) == path.read_bytes() == gzip.decompress(gz.read_bytes())
