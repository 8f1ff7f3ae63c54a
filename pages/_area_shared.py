"""What / and /area/<code> share (no page imports another): the area view, built from its model by
components/area_view.py. The names the two pages use, and those the tests reach the builders by."""

from components.area_view import (
    EMPTY_MAP,
    HIDDEN,
    SHOWN,
    _figure_columns,
    _table,
    area_parts,
    area_view,
    gap_value,
    metric_column,
    metric_label,
    metric_options,
    metric_value,
    on_canvas,
    tour_args,
)

__all__ = [
    "EMPTY_MAP",
    "HIDDEN",
    "SHOWN",
    "_figure_columns",
    "_table",
    "area_parts",
    "area_view",
    "gap_value",
    "metric_column",
    "metric_label",
    "metric_options",
    "metric_value",
    "on_canvas",
    "tour_args",
]
