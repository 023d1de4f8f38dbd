"""Benchmarks of Exchange Assistant: `make bench` (or `python -m bench`) writes bench/RESULTS.md."""
