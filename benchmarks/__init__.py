"""Benchmark harness of imblearn_meda (``python benchmarks/run.py --help``).

Modules: ``config`` (the numbers to tune), ``protocol`` (data and splits),
``samplers`` (rows by name), ``classifier`` (the one CNN), ``runner`` (one
row and the loop), ``tables`` (rows on disk, the runner's table), ``report``
(every CNN pooled over runs, Welch intervals; a command of its own),
``figures``; ``run`` is the runner's command line.
"""
