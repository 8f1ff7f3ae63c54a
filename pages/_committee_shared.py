"""What the committees list and one committee's page share."""

from __future__ import annotations

from dash import html

from components.i18n import t

PALETTE = {"filed": "#1a9850", "filed_late": "#91cf60", "due": "#fee08b", "late": "#fc8d59", "missing": "#d73027"}


def status_badge(status: str, lang: str) -> html.Span:
    return html.Span(
        t(f"com.status.{status}", lang),
        className="badge tp-status",
        style={"background": PALETTE[status], "color": "#111" if status in ("due", "filed_late") else "#fff"},
    )
