"""DEL's benchmark: data at three sizes, report and page timings against their floors.

Run ``make bench`` (S, M and L on SQLite and PostgreSQL) or ``make bench-quick`` (tiny sizes, a
smoke test that asserts nothing about time). See ``python -m bench --help``.
"""
