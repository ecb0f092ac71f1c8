"""Benchmarks through gunicorn (see bench/harness.py); not collected by pytest."""
