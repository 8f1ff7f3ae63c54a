"""What / and /area/<code> share (no page imports another): the area view, built from its model by
components/area_view.py. The names the two pages use, and those the tests reach the builders by."""

from components.area_view import (
    _figure_columns,
    _table,
    area_parts,
    area_view,
    gap_value,
    metric_column,
    metric_label,
    metric_options,
    metric_value,
    tour_args,
)

__all__ = [
    "_figure_columns",
    "_table",
    "area_parts",
    "area_view",
    "gap_value",
    "metric_column",
    "metric_label",
    "metric_options",
    "metric_value",
    "tour_args",
]
