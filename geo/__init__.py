"""Geometry: reading official boundary files, simplifying per level, serving shapes as static files."""
