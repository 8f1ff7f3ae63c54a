"""Plotly figures: the choropleth (geometry by URL, never inline) and the 5-dimension star.

Every figure gets its type sizes and title placement from `style_layout`, once: on screen, or in presentation
mode, where nothing is under 24 px (a committee reads it from the back of the room)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from dash import dcc

import config
from components.i18n import area_name, t
from mpi.rules import DIMENSIONS


def checked() -> dict:
    """Whether plotly validates the figures built here (config.Settings.validate_figures: in the tests, not in
    service, where checking every property of every figure was half of a page's render)."""
    return {"_validate": config.settings().validate_figures}


def graph_config(filename: str, lang: str = "th", present: bool = False) -> dcc.Graph.Config:
    """dcc.Graph config: local topojson (Plotly's geo traces would otherwise fetch it from a CDN), PNG download,
    nothing that sends a chart off the machine (no "edit in Chart Studio" / Plotly Cloud), and the toolbar in
    the user's language (assets/plotly-locale-th.js registers the Thai words). A projector shows no toolbar:
    nobody hovers there, and it sat over the chart's title."""
    return {
        "displaylogo": False,
        **({"displayModeBar": False} if present else {}),
        "scrollZoom": False,
        "topojsonURL": "/assets/topojson/",
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "showLink": False,
        "plotlyServerURL": "",
        "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio", "lasso2d", "select2d"],
        "locale": "th" if lang == "th" else "en",
        "toImageButtonOptions": {"filename": filename, "scale": 2},
    }


# a name written on the map: (lon, lat, name, value), and the box its area leaves for it where known
NameAt = tuple[float, float, str, float | None] | tuple[float, float, str, float | None, tuple[float, float, float, float] | None]


@dataclass(frozen=True)
class Sizes:
    title: int
    text: int  # axis labels, legends, colour-bar ticks, names on the map
    map_names: int


SCREEN = Sizes(title=17, text=12, map_names=11)
PRESENT = Sizes(title=30, text=24, map_names=24)


def sizes(present: bool) -> Sizes:
    return PRESENT if present else SCREEN


def wrap(title: str, width_px: float, font_px: float) -> str:
    """A title too wide for its chart, broken into lines at its natural joints (": ", " · ", spaces)."""
    if width_px <= 0 or text_width(title, font_px) <= width_px:
        return title
    for joint in (": ", " · ", " "):
        if joint in title:
            head, _, tail = title.rpartition(joint) if joint == " " else title.partition(joint)
            if joint == " ":  # the last space that leaves a first line that fits
                words, line = title.split(" "), ""
                for i, w in enumerate(words):
                    if text_width(f"{line} {w}".strip(), font_px) > width_px and line:
                        return line + "<br>" + wrap(" ".join(words[i:]), width_px, font_px)
                    line = f"{line} {w}".strip()
                return title
            return wrap(head + joint.rstrip(), width_px, font_px) + "<br>" + wrap(tail, width_px, font_px)
    return title


# the narrowest chart a title must fit: a 360 px phone less its margins (Plotly does not wrap titles)
PHONE_TITLE_PX = 320


def style_layout(title: str, present: bool, fit_px: float = 0, title_px: int | None = None, **layout: Any) -> dict:
    """Title, fonts and margins of every chart, as layout properties.

    Thai stacks a tone mark on an upper vowel (พื้นที่, ตั้ง) about half an em above the Latin cap height;
    Plotly centres a title in the top margin, so in a 30 px margin those marks fell outside the SVG and were
    cut ("พืนที"). The title is anchored to the top of the figure with a pad of more than that half em,
    and the margin grows with the font. Plotly lifts the first line of a title of several lines by about
    half an em more: such a title gets that much more pad."""
    s = sizes(present)
    size = title_px or s.title
    title = wrap(title, fit_px if present else min(fit_px or PHONE_TITLE_PX, PHONE_TITLE_PX), size)
    top = int(size * 2.4) + int(size * 1.35) * title.count("<br>") + (int(size * 0.6) if "<br>" in title else 0)
    margin = {"l": 0, "r": 0, "b": 0} | layout.pop("margin", {}) | {"t": top}
    return {
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": int(size * (0.7 if "<br>" not in title else 1.3))},
            "font": {"size": size},
        },
        "font": {"family": "Sarabun, sans-serif", "size": s.text, "color": "#111"},
        "paper_bgcolor": "white",
        "margin": margin,
        **layout,
    }


def plain_figure(traces: list[dict], layout: dict) -> dict:
    """A figure as plain JSON-ready dicts. Plotly's figure objects copy and check every list, again on add_trace and
    on to_plotly_json: for the national tambon map that was most of a recolour on the server, and the star and the
    trend took 90 ms of an area page's render under load. Where figures are checked (config.Settings.
    validate_figures, the tests), plotly checks these too, every property, and refuses a wrong one."""
    fig = {"data": traces, "layout": layout}
    if config.settings().validate_figures:
        go.Figure(fig)  # raises ValueError on a property plotly does not know or a value it refuses
    return fig


def map_figure(traces: list[dict], extent: tuple[float, float, float, float] | None, shapes: str, layout: dict) -> dict:
    """A map: its geo frame is the areas' own extent (or fitted to its locations); it is never dragged, and it keeps
    the reader's hover state while it shows the same `shapes` file (uirevision)."""
    geo = {"visible": False, "bgcolor": "rgba(0,0,0,0)", **(frame(extent) if extent else {"fitbounds": "locations"})}
    return plain_figure(traces, {"geo": geo, "dragmode": False, "uirevision": shapes, **layout})


_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # Thai marks that take no width of their own


def text_width(text: str, font_px: float) -> float:
    """Rough rendered width of a label: Thai marks stack, wide Latin letters average about 0.6 em."""
    base = _MARKS.sub("", unicodedata.normalize("NFC", text))
    return len(base) * font_px * 0.58


def _mercator_y(lat: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def frame(extent: tuple[float, float, float, float], pad: float = 0.03) -> dict:
    """Geo axes that show exactly `extent` (west, south, east, north), a little padded, in Mercator.

    Plotly's fitbounds keeps the world map's 2:1 frame and fits the areas inside it, so a tall country
    or province used half the height it had; axis ranges make the frame the areas' own."""
    w, s, e, n = extent
    dx, dy = (e - w) * pad or 0.01, (n - s) * pad or 0.01
    return {"projection": {"type": "mercator"}, "lonaxis": {"range": [w - dx, e + dx]}, "lataxis": {"range": [s - dy, n + dy]}}


Box = tuple[float, float, float, float]  # west, south, east, north


@dataclass(frozen=True)
class Label:
    """A name written on a map: which one, at what size, and where beside its point (plotly's textposition)."""

    index: int
    size: float
    position: str = "middle center"


PHONE_PX = 250  # the narrowest map a name is placed for: a 360 px phone's map, less its margins and colour bar
# where a name may sit against its point, most natural first: on it, above, below, after, before
POSITIONS = ("middle center", "top center", "bottom center", "middle right", "middle left")


class _Projection:
    """Lon/lat to the pixels of a map that frames `extent` in Mercator, centred as plotly centres it."""

    def __init__(self, extent: Box, width_px: float, height_px: float):
        w, s, e, n = extent
        span_x, span_y = (e - w) or 0.1, (_mercator_y(n) - _mercator_y(s)) or 0.1
        self.scale = min(width_px / span_x, height_px / span_y)
        self.x0 = (width_px - span_x * self.scale) / 2 - w * self.scale
        self.y0 = (height_px - span_y * self.scale) / 2 + _mercator_y(n) * self.scale
        self.width, self.height = width_px, height_px

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return self.x0 + lon * self.scale, self.y0 - _mercator_y(lat) * self.scale

    def box(self, room: Box) -> Box:
        (x1, y1), (x2, y2) = self.xy(room[0], room[3]), self.xy(room[2], room[1])
        return x1, y1, x2, y2


def _name_box(x: float, y: float, text: str, size: float, position: str) -> Box:
    half_w, half_h = text_width(text, size) / 2, size * 0.75
    gap = size * 0.3
    dx = {"middle right": half_w + gap, "middle left": -half_w - gap}.get(position, 0.0)
    dy = {"top center": -half_h - gap, "bottom center": half_h + gap}.get(position, 0.0)
    cx, cy = x + dx, y + dy
    return cx - half_w - gap, cy - half_h - gap, cx + half_w + gap, cy + half_h + gap


def _fits_room(box: Box, room: Box | None) -> bool:
    """A name has room when its middle lies on its area and it is at most about twice the area's size."""
    if room is None:
        return True
    rw, rh = room[2] - room[0], room[3] - room[1]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    inside = room[0] <= cx <= room[2] and room[1] <= cy <= room[3]
    return inside and box[2] - box[0] <= 2 * rw + 8 and box[3] - box[1] <= 2 * rh + 8


def _clear(box: Box, kept: list[Box], frame: Box) -> bool:
    within = box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]
    return within and all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in kept)


def place_names(
    points: list[tuple[float, float]],
    texts: list[str],
    width_px: float,
    height_px: float,
    font_px: float,
    extent: Box | None = None,
    rooms: list[Box | None] | None = None,
    min_font_px: float | None = None,
    narrowest_px: float | None = None,
) -> list[Label]:
    """Every name that has room on a map of width × height pixels: on its point, or beside it, at the map's size
    or a little smaller (down to `min_font_px`), inside the frame and clear of every name already placed. With
    `rooms` (each area's box), a name is written only where it is not much larger than its area, and the largest
    areas are named first; without, the caller's order is the priority (the names that matter most first)."""
    if not points:
        return []
    if extent is None:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        dx, dy = (max(lons) - min(lons)) * 0.15, (max(lats) - min(lats)) * 0.15
        extent = (min(lons) - dx, min(lats) - dy, max(lons) + dx, max(lats) + dy)
    proj = _Projection(extent, width_px, height_px)
    # the same map at its narrowest (a phone's, the height kept): a name near the edge must stay inside there too,
    # where the country shrinks around letters that keep their size
    narrow = _Projection(extent, min(narrowest_px or width_px, width_px), height_px)
    boxes = [proj.box(r) if r else None for r in rooms] if rooms else [None] * len(points)
    order = (
        sorted(range(len(points)), key=lambda i: -((b[2] - b[0]) * (b[3] - b[1]) if (b := boxes[i]) else 0))
        if rooms
        else range(len(points))
    )
    smallest = min(min_font_px or font_px, font_px)
    steps = sorted({font_px, max(smallest, font_px * 0.85), smallest}, reverse=True)
    positions = POSITIONS if rooms else POSITIONS[:1]
    frame: Box = (0.0, 0.0, width_px, height_px)
    kept: list[Box] = []
    out: list[Label] = []
    phone: Box = (0.0, 0.0, narrow.width, narrow.height)
    for i in order:
        x, y = proj.xy(*points[i])
        nx, ny = narrow.xy(*points[i])
        for size in steps:
            chosen = next(
                (
                    (pos, b)
                    for pos in positions
                    if _fits_room(b := _name_box(x, y, texts[i], size, pos), boxes[i])
                    and _clear(b, kept, frame)
                    and _clear(_name_box(nx, ny, texts[i], size, pos), [], phone)
                ),
                None,
            )
            if chosen:
                kept.append(chosen[1])
                out.append(Label(i, size, chosen[0]))
                break
    return sorted(out, key=lambda label: label.index)


def place_labels(
    points: list[tuple[float, float]],
    texts: list[str],
    width_px: float,
    height_px: float,
    font_px: float,
    extent: Box | None = None,
) -> list[int]:
    """Which names fit centred on their points at one size, in the caller's priority order (place_names, simply)."""
    return [label.index for label in place_names(points, texts, width_px, height_px, font_px, extent)]


# ColorBrewer RdPu: sequential, colour-blind safe; its lightest step is still visibly not the grey of "no data".
SCALE = [[0.0, "#fde0dd"], [0.25, "#fa9fb5"], [0.5, "#f768a1"], [0.75, "#c51b8a"], [1.0, "#49006a"]]
NO_DATA = "#bdbdbd"
HIDDEN = "#9ecae1"  # a count kept from the viewer (data_access.logbook.Hidden): off the scale, unlike grey "no data"
# ColorBrewer PuOr, colour-blind safe: fewer target poor (negative change) purple, more orange, no change near white
DIVERGING = [[0.0, "#542788"], [0.25, "#998ec3"], [0.5, "#f7f7f7"], [0.75, "#f1a340"], [1.0, "#b35806"]]


# a name's halo: white around dark letters reads on the lightest and the darkest fill alike, and where a name runs
# past its area onto the white ground
HALO = "#fff 0 0 2px, #fff 0 0 2px, #fff 0 0 3px, #fff 0 0 4px"


def layout_names(traces: list[dict], names_at: list[tuple], present: bool, s: Sizes, extent: Box | None) -> None:
    """Every area's name that has room, written on the map (a projector has no hover): names_at holds (lon, lat,
    name, value[, box of the area]); a small area's name is a little smaller, or beside its point, or left out."""
    width, height = (1300, 980) if present else (760, 520)
    rooms = [p[4] if len(p) > 4 else None for p in names_at]
    placed = place_names(
        [(p[0], p[1]) for p in names_at],
        [p[2] for p in names_at],
        width,
        height,
        s.map_names,
        extent,
        rooms=rooms if any(rooms) else None,
        # a projector's names stay at their 24 px (nothing on it is smaller); a screen's may shrink a little
        min_font_px=s.map_names if present else s.map_names * 0.8,
        narrowest_px=None if present else PHONE_PX,  # a projector's map is never a phone's
    )
    traces.append(
        {
            "type": "scattergeo",
            "lon": [names_at[n.index][0] for n in placed],
            "lat": [names_at[n.index][1] for n in placed],
            "text": [names_at[n.index][2] for n in placed],
            "mode": "text",
            "textposition": [n.position for n in placed],
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "names",
            "textfont": {
                "size": [round(n.size, 1) for n in placed],
                "color": "#111",
                "family": "Sarabun, sans-serif",
                "shadow": HALO,
            },
        }
    )


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
            polygons.append(
                u
                | {"code": c["code"], "_label": t("map.counted_under", lang, tambon=area_name(c, lang), unit=area_name(u, lang))}
            )
            carried.add(under)
        elif not under:
            polygons.append(c | {"_label": area_name(c, lang)})
    symbols = [u | {"_label": area_name(u, lang)} for code, u in units.items() if code not in carried and u.get("point")]
    return polygons, symbols


def choropleth(
    geojson_url: str,
    codes: list[str],
    values: list[float | None],
    names: list[str],
    hover_values: list[str],
    all_codes: list[str],
    unit: str,
    title: str,
    highlight: str | None = None,
    hidden: list[tuple[str, str, str]] | None = None,
    symbols: list[dict] | None = None,
    symbol_label: str = "",
    missing_note: str | None = None,
    present: bool = False,
    names_at: list[NameAt] | None = None,
    extent: tuple[float, float, float, float] | None = None,
    diverging: bool = False,
    hover: tuple[str, str] | None = None,
    meta: dict | None = None,
) -> dict:
    """Child areas coloured by value; areas with no figure drawn grey beneath, so zero and no data differ.
    `hover` (a label and a d3 number format) writes the value into one hover template instead of one text per
    area: the national tambon map's 7,425 areas send their names and values, not 7,425 sentences.
    `diverging` (a change between editions): a purple-orange scale centred on zero (safe for colour-blind
    readers), symmetric around it, so a fall and a rise of the same size look equally strong.

    `hidden` (code, name, hover) are areas whose count is kept from the viewer (a suppressed Logbook cell): drawn in
    a colour of their own, never on the scale as 0 nor grey as "no data".

    `symbols` are areas without a polygon (municipal units): {code, lon, lat, value, name, hover, hidden}, drawn as
    circles on the same colour scale, hoverable and clickable like the polygons (one without a value in grey, or
    in the hidden colour). `names_at` (lon, lat, name, value), most important first, are written on the map where
    they fit (a projector has no hover), in dark letters with a white halo. `meta` goes into the layout for the area
    pages' canvas, which draws their maps instead of plotly.js (assets/canvas-map.js: the hover's words and format,
    the language, the PNG's name); a report's map is drawn by it too (pages._map_canvas.still_map)."""
    s = sizes(present)
    symbols = symbols or []
    top = max([abs(v) for v in values if v is not None] + [abs(s["value"]) for s in symbols if s["value"] is not None] + [0])
    scale, low = (DIVERGING, -(top or 1)) if diverging else (SCALE, 0)
    hidden = hidden or []
    drawn = set(codes) | {h[0] for h in hidden}  # once: rebuilt per area it made the national tambon map quadratic
    missing = [c for c in all_codes if c not in drawn]
    traces: list[dict] = []
    if missing:
        traces.append(
            {
                "type": "choropleth",
                "geojson": geojson_url,
                "featureidkey": "properties.code",
                "locations": missing,
                "z": [0] * len(missing),
                "colorscale": [[0, NO_DATA], [1, NO_DATA]],
                "showscale": False,
                "hovertemplate": "%{location}" + (f"<br>{missing_note}" if missing_note else "") + "<extra></extra>",
                "name": "no data",
                "marker": {"line": {"color": "white", "width": 0.5}},
            }
        )
    if hidden:
        traces.append(
            {
                "type": "choropleth",
                "geojson": geojson_url,
                "featureidkey": "properties.code",
                "locations": [h[0] for h in hidden],
                "z": [0] * len(hidden),
                "colorscale": [[0, HIDDEN], [1, HIDDEN]],
                "showscale": False,
                "customdata": [[name, text] for _, name, text in hidden],
                "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
                "name": "hidden",
                "marker": {"line": {"color": "white", "width": 0.6}},
            }
        )
    traces.append(
        {
            "type": "choropleth",
            "geojson": geojson_url,
            "featureidkey": "properties.code",
            "locations": codes,
            "z": values,
            **(
                {"text": names, "hovertemplate": f"<b>%{{text}}</b><br>{hover[0]}: %{{z:{hover[1]}}}<extra></extra>"}
                if hover
                else {
                    "customdata": [[n, h] for n, h in zip(names, hover_values, strict=False)],
                    "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
                }
            ),
            "colorscale": scale,
            "zmin": low,
            "zmax": top or None if not diverging else top or 1,
            # 7,425 white outlines would wash a national map out
            "marker": {"line": {"color": "white", "width": 0.1 if hover else 0.6}},
            "colorbar": {
                "title": {"text": unit, "font": {"size": s.text}},
                "thickness": 14 if not present else 24,
                "len": 0.8,
                "tickfont": {"size": s.text},
            },
        }
    )
    layout: dict = {"meta": meta} if meta else {}
    apart = [s for s in symbols if s["value"] is None]
    symbols = [s for s in symbols if s["value"] is not None]
    if apart:  # without a value to colour: grey, or the hidden colour; before the scaled ones (the canvas reads the last)
        traces.append(
            {
                "type": "scattergeo",
                "lon": [s["lon"] for s in apart],
                "lat": [s["lat"] for s in apart],
                "mode": "markers",
                "name": "no value",
                "customdata": [[s["name"], s["hover"], s["code"]] for s in apart],
                "showlegend": False,
                "marker": {
                    "size": 5 if hover else 16 if not present else 26,
                    "symbol": "circle",
                    "color": [HIDDEN if s.get("hidden") else NO_DATA for s in apart],
                    "line": {"color": "#111", "width": 0.5 if hover else 1.5},
                },
                "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
            }
        )
    if symbols:
        traces.append(
            {
                "type": "scattergeo",
                "lon": [s["lon"] for s in symbols],
                "lat": [s["lat"] for s in symbols],
                "mode": "markers",
                "name": symbol_label,
                # with a shared hover template the value is read off the marker's colour, not written per symbol
                "customdata": [[s["name"], "" if hover else s["hover"], s["code"]] for s in symbols],
                "showlegend": bool(symbol_label),
                "marker": {
                    # at the national tambon map's scale, 593 municipal units are dots, not circles over the tambons
                    "size": 5 if hover else 16 if not present else 26,
                    "symbol": "circle",
                    "color": [s["value"] for s in symbols],
                    "colorscale": scale,
                    "cmin": low,
                    "cmax": top or 1,
                    "line": {"color": "#111", "width": 0.5 if hover else 1.5},
                },
                "hovertemplate": f"<b>%{{customdata[0]}}</b><br>{hover[0]}: %{{marker.color:{hover[1]}}}<extra></extra>"
                if hover
                else "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
            }
        )
    if symbols or apart:
        layout["legend"] = {"x": 0, "y": 0, "bgcolor": "rgba(255,255,255,0.8)", "font": {"size": s.text}}
    if names_at:
        layout_names(traces, names_at, present, s, extent)
    if highlight:
        traces.append(
            {
                "type": "choropleth",
                "geojson": geojson_url,
                "featureidkey": "properties.code",
                "locations": [highlight],
                "z": [1],
                "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                "showscale": False,
                "marker": {"line": {"color": "#111", "width": 3}},
                "hoverinfo": "skip",
            }
        )
    # in presentation mode the map takes the height its container gives it (autosize), not a fixed one
    return map_figure(
        traces,
        extent,
        geojson_url,
        style_layout(
            title,
            present,
            fit_px=1200 if present else 700,
            height=None if present else 560,
            **layout,
        ),
    )


def star(series: list[tuple], lang: str, title: str, present: bool = False) -> dict:
    """Radar of the share (%) of target poor deprived in each dimension, one trace per area.

    The angles are numbers (one axis every 72°) so the percentage scale can be written as upright text
    between the first two axes: Plotly turns a radial axis's own tick labels along the axis, and the
    labels it draws cannot be turned back."""
    s = sizes(present)
    labels = [t(f"star.axis.{d}", lang) for d in DIMENSIONS]
    angles = [i * 360 / len(DIMENSIONS) for i in range(len(DIMENSIONS))]
    traces: list[dict] = []
    # by role, whatever else is drawn: the area (filled), its parent (dashed grey), the area in the edition before
    # (dotted blue): the star over time
    looks = {"area": ("#c51b8a", "solid"), "parent": ("#636363", "dash"), "before": ("#2c7fb8", "dot")}
    for i, entry in enumerate(series):
        name, shares = entry[0], entry[1]
        colour, dash = looks[entry[2] if len(entry) > 2 else ("area" if i == 0 else "parent")]
        r = [round(100 * shares.get(d, 0.0), 1) for d in DIMENSIONS]
        names = [t(f"dim.{d}", lang) for d in DIMENSIONS]
        traces.append(
            {
                "type": "scatterpolar",
                "r": r + r[:1],
                "theta": angles + angles[:1],
                "name": name,
                "customdata": names + names[:1],
                **({"fill": "toself"} if i == 0 else {}),
                "line": {"color": colour, "width": 3 if i == 0 else 2, "dash": dash},
                "hovertemplate": "%{customdata}: %{r:.1f}%<extra>" + name + "</extra>",
            }
        )
    # Like TPMAP's star: health at the top, and the radial scale stretched to the largest share so
    # small areas' shapes stay readable (the scale's labels say where each ring is).
    top = max([100 * v for entry in series for v in entry[1].values()] + [10])
    top = min(100, 10 * -(-top * 1.1 // 10))
    step = next(st for st in (5, 10, 20, 25) if top / st <= 5)
    rings = [v for v in range(step, int(top) + 1, step)]
    # two labelled rings (the middle and the outer one): more would pile up on a small star
    named = sorted({rings[(len(rings) - 1) // 2], rings[-1]}) if len(rings) > 2 else rings
    half = angles[1] / 2
    traces.append(
        {
            "type": "scatterpolar",
            "r": named,
            "theta": [half] * len(named),
            "mode": "text",
            "text": [f"{v}%" for v in named],
            "textfont": {"size": s.text if present else s.text - 2, "color": "#555"},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "scale",
        }
    )
    # room for the axis names left and right of the star: the longest line of a name, at the text size
    side = int(max(text_width(line, s.text) for lab in labels for line in lab.split("<br>")) + 12)
    return plain_figure(
        traces,
        style_layout(
            title,
            present,
            fit_px=560 if present else 460,
            title_px=s.text if present else None,
            polar={
                "radialaxis": {
                    "range": [0, top],
                    "tickvals": rings,
                    "showticklabels": False,
                    "showline": False,
                    "gridcolor": "#d0d0d0",
                },
                "angularaxis": {
                    "rotation": 90,
                    "direction": "clockwise",
                    "tickmode": "array",
                    "tickvals": angles,
                    "ticktext": labels,
                    "tickfont": {"size": s.text},
                    "gridcolor": "#d0d0d0",
                },
            },
            margin={"l": side, "r": side, "b": int(s.text * 1.5)},
            height=None if present else 400,
            legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center", "font": {"size": s.text}},
        ),
    )


def status_map(
    geojson_url: str,
    codes: list[str],
    statuses: list[str],
    names: list[str],
    palette: dict[str, str],
    labels: dict[str, str],
    title: str,
    present: bool = False,
    extent: tuple[float, float, float, float] | None = None,
) -> dict:
    """Areas coloured by a state (filed, late, missing...): one trace per state, so the legend names each colour.
    Drawn by the canvas (pages._map_canvas.still_map)."""
    traces = []
    for state, colour in palette.items():
        idx = [i for i, s in enumerate(statuses) if s == state]
        if not idx:
            continue
        traces.append(
            {
                "type": "choropleth",
                "geojson": geojson_url,
                "featureidkey": "properties.code",
                "locations": [codes[i] for i in idx],
                "z": [1] * len(idx),
                "customdata": [[names[i], labels[state]] for i in idx],
                "colorscale": [[0, colour], [1, colour]],
                "showscale": False,
                "showlegend": True,
                "name": f"{labels[state]} ({len(idx)})",
                "marker": {"line": {"color": "white", "width": 0.6}},
                "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
            }
        )
    return map_figure(
        traces,
        extent,
        geojson_url,
        style_layout(
            title,
            present,
            height=560,
            legend={"x": 0, "y": 0, "bgcolor": "rgba(255,255,255,0.8)"},
        ),
    )


def nice_step(span: float, intervals: int = 5) -> int:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) that covers `span` in about `intervals` steps; whole
    (persons are counted in whole numbers: no tick at 2.5 persons) and at least 1."""
    raw = span / intervals
    if raw <= 1:
        return 1
    power = 10 ** math.floor(math.log10(raw))
    return next(int(m * power) for m in (1, 2, 2.5, 5, 10) if m * power >= raw and float(m * power).is_integer())


def paired_axes(left_max: float, right_max: float, intervals: int = 5) -> tuple[dict, dict]:
    """Two y axes from zero that share their grid lines, each in round steps of its own. Left to itself, plotly
    divides the overlaying axis at the main axis's grid lines (224,571 / 449,141 / …); here each axis gets a
    round step and both the same number of steps, so a tick on either side is a number one reads."""
    steps = (nice_step(left_max, intervals), nice_step(right_max, intervals))
    # a little room above the highest point, so that its marker is not cut by the top of the chart
    n = max(1, *(math.ceil(m * 1.04 / st) for m, st in zip((left_max, right_max), steps, strict=True)))
    return tuple({"range": [0, n * st], "tick0": 0, "dtick": st, "tickmode": "linear"} for st in steps)  # type: ignore[return-value]


def trend_chart(series: list[tuple[str, list[dict]]], lang: str, title: str, present: bool = False) -> dict:
    """Target poor per edition, one line per area (the area, then its parent on a second axis of its own scale,
    since a province's count dwarfs a tambon's). A point from survey microdata is a filled circle, one TPMAP
    published is an open one: the legend says which is which, and the hover names the source."""
    s = sizes(present)
    traces: list[dict] = []
    colours = ["#c51b8a", "#636363"]
    for i, (name, items) in enumerate(series):
        if not items:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": [str(it["year"]) for it in items],
                "y": [it["target_poor_persons"] for it in items],
                "name": name if i == 0 else f"{name} ({t('trend.right_axis', lang)})",
                "yaxis": "y" if i == 0 else "y2",
                "mode": "lines+markers",
                "line": {"color": colours[i % 2], "width": 3 if i == 0 else 2, "dash": "solid" if i == 0 else "dash"},
                "marker": {
                    "size": 11,
                    "symbol": ["circle" if it["source"] == "survey" else "circle-open" for it in items],
                    "line": {"width": 2, "color": colours[i % 2]},
                },
                "customdata": [t(f"trend.source.{it['source']}", lang) for it in items],
                "hovertemplate": "%{x}: %{y:,} " + t("unit.persons", lang) + " · %{customdata}<extra>" + name + "</extra>",
            }
        )
    # editions are categories, evenly spaced in the order of their years (2562 → 2565 is one step, like
    # 2561 → 2562), whichever line names a year first
    years = sorted({str(it["year"]) for _, items in series for it in items})
    tops = [max((it["target_poor_persons"] or 0 for it in items), default=0) for _, items in series]
    left, right = paired_axes(tops[0] if tops else 0, tops[1] if len(tops) > 1 else 0)
    layout = style_layout(
        title,
        present,
        margin={"l": 10, "r": 10, "b": 10},
        plot_bgcolor="white",
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": years,
            "title": {"text": t("trend.axis.year", lang)},
            "tickfont": {"size": s.text},
        },
        yaxis={
            "title": {"text": t("trend.axis.persons", lang)},
            "automargin": True,  # the 10 px margin is a floor: "12,000" and its title need the room they take
            **left,
            "tickformat": ",.0f",
            "tickfont": {"size": s.text},
            "gridcolor": "#e0e0e0",
        },
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "automargin": True,
            **right,
            "tickformat": ",.0f",
            "showgrid": False,
            "tickfont": {"size": s.text, "color": "#636363"},
        },
        height=None if present else 340,
        legend={"orientation": "h", "y": -0.25, "x": 0.5, "xanchor": "center", "font": {"size": s.text}},
    )
    return plain_figure(traces, layout)


def _nice_step(top: float) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving at most three ticks each side of the middle."""
    magnitude = 1
    while True:
        for k in (1, 2, 5):
            if top / (k * magnitude) <= 3:
                return k * magnitude
        magnitude *= 10


def _bars(values: list[int], sign: int, half: float) -> tuple[list[float | None], list[float | None]]:
    """Horizontal bars as closed outlines (the dashboard's plotly.js has no bar trace: vendor/plotly), one per
    value, at y = 0, 1, 2 …, `half` of a row high on each side, separated by gaps."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for row, v in enumerate(values):
        x = sign * v
        xs += [0, x, x, 0, 0, None]
        ys += [row - half, row - half, row + half, row + half, row - half, None]
    return xs, ys


def _pyramid_traces(label: str, colour: str, values: list[int], sign: int, half: float, lang: str, legend: bool) -> list[dict]:
    """One measure of one sex: its bars, and an invisible point at each bar's end for the hover."""
    xs, ys = _bars(values, sign, half)
    group = {"name": label, "legendgroup": label.split(" (")[0]}
    bars: dict[str, object] = {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself", "fillcolor": colour}
    bars |= {"line": {"width": 0, "color": colour}, "showlegend": legend, "hoverinfo": "skip"} | group
    ends: dict[str, object] = {
        "type": "scatter",
        "mode": "markers",
        "x": [sign * v for v in values],
        "y": list(range(len(values))),
    }
    ends |= {"customdata": values, "marker": {"size": 1, "color": colour, "opacity": 0}, "showlegend": False} | group
    ends["hovertemplate"] = "%{customdata:,} " + t("unit.persons", lang) + "<extra>" + label + "</extra>"
    return [bars, ends]


def pyramid(items: list[dict], lang: str, title: str, *, who: str, present: bool = False) -> dict:
    """The population pyramid of an area (issue 34): persons surveyed and the target poor by life stage and sex,
    men to the left, women to the right, the youngest at the bottom; the target poor drawn narrower, in front of
    the surveyed. The axis and the hover give counts unsigned."""
    s = sizes(present)
    stages = list(dict.fromkeys(i["stage"] for i in items))
    labels = [t(f"stage.{k}", lang) for k in stages]
    count = {(i["stage"], i["sex"]): i for i in items}
    traces: list[dict] = []
    top = 1
    for measure, colour, name, half in (
        ("surveyed_persons", "#9ecae1", t("pyramid.surveyed", lang), 0.4),
        ("target_poor_persons", "#c51b8a", who, 0.22),
    ):
        for sex, sign in (("M", -1), ("F", 1)):
            values = [(count[(k, sex)][measure] or 0) if (k, sex) in count else 0 for k in stages]
            top = max([top, *values])
            label = f"{name} ({t(f'pyramid.sex.{sex}', lang)})"
            traces += _pyramid_traces(label, colour, values, sign, half, lang, legend=True)
    step = _nice_step(top)
    ticks = [k * step for k in range(-int(top // step), int(top // step) + 1)]
    return plain_figure(
        traces,
        style_layout(
            title,
            present,
            plot_bgcolor="white",
            margin={"l": 10, "r": 10, "b": 10},
            xaxis={
                "tickvals": ticks,
                "ticktext": [f"{abs(v):,}" for v in ticks],
                "title": {"text": f"← {t('pyramid.sex.M', lang)} · {t('pyramid.sex.F', lang)} →"},
                "tickfont": {"size": s.text},
                "gridcolor": "#e0e0e0",
                "zerolinecolor": "#636363",
                "range": [-top * 1.05, top * 1.05],
            },
            yaxis={
                "automargin": True,
                "tickfont": {"size": s.text},
                "tickvals": list(range(len(labels))),
                "ticktext": labels,
                "range": [-0.6, len(labels) - 0.4],
                "showgrid": False,
                "zeroline": False,
            },
            height=None if present else 400,
            legend={"orientation": "h", "y": -0.3, "x": 0.5, "xanchor": "center", "font": {"size": s.text}},
        ),
    )
