"""The only package that talks to the database. Pages, callbacks and the API call its functions."""
