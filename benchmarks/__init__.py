"""Benchmark harness of imblearn_meda (``python benchmarks/run.py --help``).

Modules: ``config`` (the numbers to tune), ``protocol`` (data and splits),
``samplers`` (rows by name), ``classifier`` (the one CNN), ``runner`` (one
row and the loop), ``tables`` (rows on disk, the runner's table),
``figures``; ``run`` is the command line.
"""
