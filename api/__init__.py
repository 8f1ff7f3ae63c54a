"""The public read API (/api/v1), a Flask blueprint on the Dash server."""
