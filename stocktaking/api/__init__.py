"""The read-only open data API of the stocktaking database (``/api/v1/<tenant>/stocktaking/``)."""
