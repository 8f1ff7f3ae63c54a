"""Reusable pieces of the dashboard: figures, cards, tables, the translation catalogue."""
