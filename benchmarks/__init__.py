"""Benchmark harness of imblearn_meda (``python benchmarks/run.py --help``)."""
