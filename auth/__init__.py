"""Sign-in, sessions, API tokens, CSRF and rate limits: the web side of access control.

The rule itself (who sees what) lives in data_access.access and is applied by data_access.
"""
