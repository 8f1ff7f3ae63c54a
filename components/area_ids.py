"""The element ids of the area view (/ and /area/<code>) that its callbacks address: one name for each, shared by
the layout builders (components/area_view.py) and the callbacks (pages/area.py), which serve the country's page (/,
pages/home.py) as well. The browser tests, axe tests and screenshots know the elements by these same strings."""

from __future__ import annotations

from typing import Final

PAGE: Final = "area-page"
TOPBAR: Final = "area-topbar"
CARDS: Final = "area-cards"
WEAKEST: Final = "weakest"
MAP: Final = "area-map"  # a store: the map's canvas writes every click on it here ({points: [{location}]})
MAP_BOX: Final = "area-map-box"
CANVAS_MAP: Final = "area-canvas-map"  # the map's canvas (assets/canvas-map.js) and its holder
CANVAS_HOST: Final = "area-canvas-host"
CANVAS_FIGURE: Final = "area-canvas-fig"  # the store the canvas draws from
STAR_BOX: Final = "area-star-box"
STAR: Final = "area-star"
ACTIONS: Final = "area-actions"
DETAILS: Final = "area-details"
TABLE_BOX: Final = "area-table-box"
SOURCE: Final = "source-line"
STATE: Final = "area-state"  # the view shown, for the callbacks and for the address (pushed after an update)
NAV: Final = "area-nav"  # a projector's click navigates through it
# the route the map's canvas fetches a chosen metric's or a clicked area's map from (pages/_map_preview.py)
PREVIEW_PATH: Final = "/area-map/"

# the controls
YEAR: Final = "ctl-year"
METRIC: Final = "ctl-metric"
COLOUR: Final = "ctl-colour"
DIMS: Final = "ctl-dims"
DEFINITION: Final = "ctl-definition"
LEVEL: Final = "ctl-level"
AGE: Final = "ctl-age"
