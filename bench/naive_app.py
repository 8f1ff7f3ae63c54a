"""The baseline of bench/side_by_side.py: the dashboard as a developer would first write it with Dash, honestly and
idiomatically, on the same database. One page; the URL's path is the area; a callback reads the children's
full-resolution boundaries (ST_AsGeoJSON of area.geom) into the figure and counts the target poor with a GROUP BY
over the household rows at every click; a DataTable lists them; plotly.js is Dash's own full bundle.

    python -m bench.naive_app --database-url URL [--port 8051]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, dash_table, dcc, html
from sqlalchemy import create_engine, text

METRICS = {"target_poor": "target poor", "crisis": "crisis (3+ dimensions)", "households": "target-poor households"}
# a household's deprived dimensions, from its 5-bit pattern (SQLite has no popcount)
DIMS = "CASE h.pattern " + " ".join(f"WHEN {p} THEN {bin(p).count('1')}" for p in range(32)) + " ELSE 0 END"


def world_topojson(folder: Path) -> Path:
    """Plotly's own world map, which its geo traces fetch from a CDN unless told where it is: the project served it
    locally before issue 16 (git history); a developer working offline would do the same."""
    target = folder / "topojson" / "world_110m.json"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        data = subprocess.run(
            ["git", "show", f"{WORLD_COMMIT}:assets/topojson/world_110m.json"],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            check=True,
        ).stdout
        target.write_bytes(data)
    return folder


WORLD_COMMIT = "2c6b79a"  # the last commit with Plotly's world topojson in assets/


def make_app(url: str, assets: Path | None = None) -> dash.Dash:
    engine = create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    assets = world_topojson(assets or Path(tempfile.mkdtemp(prefix="naive-assets-")))
    app = dash.Dash(__name__, title="naive TPMAP", assets_folder=str(assets))
    app.layout = html.Div(
        [
            dcc.Location(id="url"),
            html.H2(id="title"),
            dcc.Dropdown(id="metric", options=[{"label": v, "value": k} for k, v in METRICS.items()], value="target_poor"),
            dcc.Graph(id="area-map", style={"height": "700px"}, config={"topojsonURL": "/assets/topojson/"}),
            dash_table.DataTable(id="table", sort_action="native", page_size=100),
        ]
    )

    def children(code: str):
        level = {2: "amphoe", 4: "tambon"}.get(len(code), "province")
        geom = "ST_AsGeoJSON(geom)" if postgres else "NULL"
        parent = "" if code in ("", "TH") else "AND parent_code = :code"
        with engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT code, name_th, {geom}, geom FROM area WHERE level = :level {parent} AND has_geometry"),
                {"level": level, "code": code},
            ).all()
        features = []
        for c, name, gj, wkb in rows:
            if gj is None:  # SQLite keeps WKB: the app would read it with shapely
                import shapely

                gj = shapely.to_geojson(shapely.from_wkb(bytes(wkb)))
            features.append({"type": "Feature", "properties": {"code": c, "name": name}, "geometry": json.loads(gj)})
        return {"type": "FeatureCollection", "features": features}, len(code) if code not in ("", "TH") else 0

    @app.callback(
        Output("area-map", "figure"),
        Output("table", "data"),
        Output("title", "children"),
        Input("url", "pathname"),
        Input("metric", "value"),
    )
    def render(pathname, metric):
        code = (pathname or "/").strip("/").split("/")[-1] or "TH"
        geojson, digits = children(code)
        prefix = "" if code == "TH" else code
        width = digits + 2
        with engine.connect() as conn:  # counted at every click
            rows = conn.execute(
                text(
                    f"SELECT substr(h.tambon_code, 1, {width}) AS code, "
                    "SUM(CASE WHEN h.pattern <> 0 THEN h.n_welfare ELSE 0 END) AS target_poor, "
                    f"SUM(CASE WHEN {DIMS} >= 3 THEN h.n_welfare ELSE 0 END) AS crisis, "
                    "SUM(CASE WHEN h.pattern <> 0 AND h.n_welfare > 0 THEN 1 ELSE 0 END) AS households "
                    "FROM household h WHERE h.tambon_code LIKE :p AND h.year = (SELECT MAX(year) FROM household) "
                    f"GROUP BY substr(h.tambon_code, 1, {width})"
                ),
                {"p": prefix + "%"},
            ).mappings()
            data = [dict(r) for r in rows]
        fig = go.Figure(
            go.Choropleth(
                geojson=geojson,
                featureidkey="properties.code",
                locations=[r["code"] for r in data],
                z=[r[metric or "target_poor"] for r in data],
                colorscale="RdPu",
            )
        )
        fig.update_geos(fitbounds="locations", visible=False)
        fig.update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0})
        return fig, data, f"{code}: {METRICS[metric or 'target_poor']}"

    @app.callback(Output("url", "pathname"), Input("area-map", "clickData"), State("url", "pathname"), prevent_initial_call=True)
    def drill(click, pathname):
        if not click or not click.get("points"):
            return dash.no_update
        return "/" + click["points"][0]["location"]

    return app


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--port", type=int, default=8051)
    a = ap.parse_args()
    make_app(a.database_url).run(host="127.0.0.1", port=a.port, debug=False)
