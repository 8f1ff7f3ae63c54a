"""Plotly figures: the choropleth (geometry by URL, never inline) and the 5-dimension star."""
from __future__ import annotations

import plotly.graph_objects as go

from components.i18n import area_name, t
from mpi.rules import DIMENSIONS


def graph_config(filename: str, lang: str = "th") -> dict:
    """dcc.Graph config: local topojson (Plotly's geo traces would otherwise fetch it from a CDN), PNG download,
    nothing that sends a chart off the machine (no "edit in Chart Studio" / Plotly Cloud), and the toolbar in
    the user's language (assets/plotly-locale-th.js registers the Thai words)."""
    return {"displaylogo": False, "scrollZoom": False, "topojsonURL": "/assets/topojson/",
            "showSendToCloud": False, "showEditInChartStudio": False, "showLink": False, "plotlyServerURL": "",
            "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio", "lasso2d", "select2d"],
            "locale": "th" if lang == "th" else "en",
            "toImageButtonOptions": {"filename": filename, "scale": 2}}


# ColorBrewer RdPu: sequential, colour-blind safe; its lightest step is still visibly not the grey of "no data".
SCALE = [[0.0, "#fde0dd"], [0.25, "#fa9fb5"], [0.5, "#f768a1"], [0.75, "#c51b8a"], [1.0, "#49006a"]]
NO_DATA = "#bdbdbd"


def map_layers(children: list[dict], with_geom: set[str], lang: str) -> tuple[list[dict], list[dict]]:
    """What the map draws: polygons with figures; a tambon whose people are counted under a municipal unit in
    the unit's colour (and named so on hover); every other unit as a symbol at its point. Nobody is left out."""
    units = {c["code"]: c for c in children if c["level"] == "municipality"}
    polygons, carried = [], set()
    for c in children:
        if c["code"] not in with_geom:
            continue
        under = c.get("counted_under")
        if under and under in units:
            u = units[under]
            polygons.append(u | {"code": c["code"], "_label": t("map.counted_under", lang, tambon=area_name(c, lang),
                                                                    unit=area_name(u, lang))})
            carried.add(under)
        elif not under:
            polygons.append(c | {"_label": area_name(c, lang)})
    symbols = [u | {"_label": area_name(u, lang)} for code, u in units.items()
               if code not in carried and u.get("point")]
    return polygons, symbols


def choropleth(geojson_url: str, codes: list[str], values: list[float | None], names: list[str],
               hover_values: list[str], all_codes: list[str], unit: str, title: str,
               highlight: str | None = None, symbols: list[dict] | None = None,
               symbol_label: str = "", missing_note: str | None = None) -> go.Figure:
    """Child areas coloured by value; areas with no figure drawn grey beneath, so zero and no data differ.

    `symbols` are areas without a polygon (municipal units): {code, lon, lat, value, name, hover}, drawn as
    circles on the same colour scale, hoverable and clickable like the polygons."""
    fig = go.Figure()
    symbols = symbols or []
    top = max([v for v in values if v is not None] + [s["value"] for s in symbols if s["value"] is not None] + [0])
    missing = [c for c in all_codes if c not in set(codes)]
    if missing:
        fig.add_trace(go.Choropleth(geojson=geojson_url, featureidkey="properties.code", locations=missing,
                                    z=[0] * len(missing), colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False,
                                    hovertemplate="%{location}" + (f"<br>{missing_note}" if missing_note else "")
                                    + "<extra></extra>", name="no data",
                                    marker_line_color="white", marker_line_width=0.5))
    fig.add_trace(go.Choropleth(
        geojson=geojson_url, featureidkey="properties.code", locations=codes, z=values, customdata=list(zip(names, hover_values, strict=False)),
        colorscale=SCALE, zmin=0, zmax=top or None, marker_line_color="white", marker_line_width=0.6,
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        colorbar={"title": {"text": unit}, "thickness": 14, "len": 0.8}))
    if symbols:
        fig.add_trace(go.Scattergeo(
            lon=[s["lon"] for s in symbols], lat=[s["lat"] for s in symbols], mode="markers", name=symbol_label,
            customdata=[[s["name"], s["hover"], s["code"]] for s in symbols], showlegend=bool(symbol_label),
            marker={"size": 16, "symbol": "circle", "color": [s["value"] if s["value"] is not None else 0 for s in symbols],
                    "colorscale": SCALE, "cmin": 0, "cmax": top or 1, "line": {"color": "#111", "width": 1.5}},
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>"))
        fig.update_layout(legend={"x": 0, "y": 0, "bgcolor": "rgba(255,255,255,0.8)"})
    if highlight:
        fig.add_trace(go.Choropleth(geojson=geojson_url, featureidkey="properties.code", locations=[highlight], z=[1],
                                    colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
                                    marker_line_color="#111", marker_line_width=3, hoverinfo="skip"))
    fig.update_geos(fitbounds="locations", visible=False, bgcolor="rgba(0,0,0,0)")
    fig.update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0}, title={"text": title, "x": 0.01, "font": {"size": 15}},
                      height=560, paper_bgcolor="white", font={"family": "Sarabun, sans-serif"},
                      dragmode=False, uirevision=geojson_url)
    return fig


def star(series: list[tuple[str, dict[str, float]]], lang: str, title: str) -> go.Figure:
    """Radar of the share (%) of target poor deprived in each dimension, one trace per area."""
    labels = [t(f"dim.{d}", lang) for d in DIMENSIONS]
    fig = go.Figure()
    colours = ["#c51b8a", "#636363"]
    for i, (name, shares) in enumerate(series):
        r = [round(100 * shares.get(d, 0.0), 1) for d in DIMENSIONS]
        fig.add_trace(go.Scatterpolar(r=r + r[:1], theta=labels + labels[:1], name=name, fill="toself" if i == 0 else None,
                                      line={"color": colours[i % 2], "width": 3 if i == 0 else 2,
                                            "dash": "solid" if i == 0 else "dash"},
                                      hovertemplate="%{theta}: %{r:.1f}%<extra>" + name + "</extra>"))
    # Like TPMAP's star: health at the top, and the radial scale stretched to the largest share so
    # small areas' shapes stay readable (the axis labels say where 100% would be).
    top = max([100 * v for _, s in series for v in s.values()] + [10])
    top = min(100, 10 * -(-top * 1.1 // 10))
    fig.update_layout(polar={"radialaxis": {"ticksuffix": "%", "angle": 126, "range": [0, top],
                                            "tickfont": {"size": 10}},
                             "angularaxis": {"rotation": 90, "direction": "clockwise"}},
                      margin={"l": 40, "r": 40, "t": 50, "b": 20}, height=380, title={"text": title, "font": {"size": 15}},
                      legend={"orientation": "h", "y": -0.1}, font={"family": "Sarabun, sans-serif"})
    return fig


def status_map(geojson_url: str, codes: list[str], statuses: list[str], names: list[str], palette: dict[str, str],
               labels: dict[str, str], title: str) -> go.Figure:
    """Areas coloured by a state (filed, late, missing...): one trace per state, so the legend names each colour."""
    fig = go.Figure()
    for state, colour in palette.items():
        idx = [i for i, s in enumerate(statuses) if s == state]
        if not idx:
            continue
        fig.add_trace(go.Choropleth(
            geojson=geojson_url, featureidkey="properties.code", locations=[codes[i] for i in idx], z=[1] * len(idx),
            customdata=[names[i] for i in idx], colorscale=[[0, colour], [1, colour]], showscale=False, showlegend=True,
            name=f"{labels[state]} ({len(idx)})", marker_line_color="white", marker_line_width=0.6,
            hovertemplate="<b>%{customdata}</b><br>" + labels[state] + "<extra></extra>"))
    fig.update_geos(fitbounds="locations", visible=False, bgcolor="rgba(0,0,0,0)")
    fig.update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0}, title={"text": title, "x": 0.01, "font": {"size": 15}},
                      height=560, paper_bgcolor="white", font={"family": "Sarabun, sans-serif"}, dragmode=False,
                      legend={"x": 0, "y": 0, "bgcolor": "rgba(255,255,255,0.8)"}, uirevision=geojson_url)
    return fig
