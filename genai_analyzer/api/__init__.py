"""The API layer: every public endpoint as a typed, documented function (see api/endpoints.py)."""
