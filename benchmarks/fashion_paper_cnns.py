"""Pool the per-CNN macro F1 of the paper-protocol Fashion-MNIST runs on the CPU.

The rows of the current method and its baselines were measured in several runs
(three, then five, then ten CNNs per row; see RESULTS.md). This script reads
every CNN's macro F1 from those files, checks that a CNN measured twice gave
the same value, and prints per (seed, sampler) the CNNs, their mean and
standard deviation, and the difference of MEDA_LUDE's mean to each baseline
with a Welch 95 % confidence interval. With ``--figure PNG`` it also draws
them (``benchmarks.figures.plot_cnn_spread``).

    python benchmarks/fashion_paper_cnns.py [--figure docs/img/x.png]
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy import stats

RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(RESULTS.parents[1]))

from benchmarks.figures import plot_cnn_spread

# File, and which samplers of it measure the current method or a baseline:
# the MEDA_LUDE rows of the three-CNN run are the fourth session's method.
SOURCES = [
    ("fashion_mnist_paper_cpu_e10_seeds05_c3.jsonl", ("ros", "smote", "adasyn")),
    ("fashion_mnist_paper_cpu_e10_extra_cnn_seeds_3000_4000.jsonl", ("ros", "smote", "adasyn")),
    ("fashion_mnist_paper_cpu_e10_seeds05_c5_quota.jsonl", ("ros", "meda")),
    ("fashion_mnist_paper_cpu_e10_seeds05_more_cnns.jsonl", ("ros", "smote", "adasyn", "meda")),
]
ORDER = ("ros", "smote", "adasyn", "meda")


def per_cnn_f1(directory=RESULTS, sources=SOURCES):
    """``{(seed, sampler): {cnn_seed: macro F1}}`` from the files of ``sources``."""
    cnn = {}
    for name, samplers in sources:
        for line in (Path(directory) / name).read_text().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row["sampler"] not in samplers:
                continue
            if "classifier_seeds" in row:
                pairs = zip(row["classifier_seeds"], row["f1_per_classifier"])
            else:  # the throwaway harness of the fourth session: one CNN a line
                pairs = [(row["clf_seed"], row["f1"])]
            seen = cnn.setdefault((row["seed"], row["sampler"]), {})
            for clf_seed, f1 in pairs:
                if clf_seed in seen:
                    # the harness rounded to two decimals
                    if abs(seen[clf_seed] - f1) > 0.006:
                        raise SystemExit(f"CNN {clf_seed} of {row['sampler']}, seed "
                                         f"{row['seed']}: {seen[clf_seed]} then {f1}")
                    continue
                seen[clf_seed] = f1
    return cnn


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--figure", default=None, help="also save the figure as this PNG")
    args = p.parse_args(argv)
    cnn = per_cnn_f1()
    rows = []
    for seed in sorted({s for s, _ in cnn}):
        print(f"\nseed {seed}\n\n| sampler | CNNs | macro F1 per CNN | mean | sd |\n|---|---:|---|---:|---:|")
        for name in ORDER:
            if (seed, name) not in cnn:
                continue
            seeds = sorted(cnn[(seed, name)])
            f1 = np.array([cnn[(seed, name)][s] for s in seeds])
            print(f"| {name} | {len(f1)} | {' / '.join(f'{v:.2f}' for v in f1)} | "
                  f"{f1.mean():.2f} | {f1.std(ddof=1):.2f} |")
            rows.append({"dataset": "fashion-mnist", "profile": "paper", "quick": False,
                         "seed": seed, "sampler": name, "f1": float(f1.mean()),
                         "classifier_seeds": seeds, "f1_per_classifier": list(f1)})
        meda = np.array(list(cnn[(seed, "meda")].values()))
        print()
        for name in ORDER[:-1]:
            other = np.array(list(cnn[(seed, name)].values()))
            test = stats.ttest_ind(meda, other, equal_var=False)
            ci = test.confidence_interval(0.95)
            print(f"- MEDA_LUDE - {name}: {meda.mean() - other.mean():+.2f} "
                  f"(95 % CI {ci.low:+.2f} to {ci.high:+.2f}, Welch p = {test.pvalue:.2f})")
    if args.figure:
        fig = plot_cnn_spread(rows)
        fig.suptitle("Fashion-MNIST, paper protocol, CPU, CNN 10 epochs: macro F1 of each CNN",
                     fontsize=9, y=1.02)
        fig.savefig(args.figure, dpi=110, bbox_inches="tight")
        print(f"\nsaved {args.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
