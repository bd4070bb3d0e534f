"""How real do decoded draws look? Autoencoder settings compared before any
classifier is trained on their images.

For each configuration, fits ``MEDALUDESampler(synthesis="decode",
n_iterations=0, max_shift=0, **params)`` (Phase 1 only, no augmentation) on the
paper-protocol split of ``--seed`` and draws ``--draws`` new images of every
minority class with ``sample()``. A reference CNN (the runner's ``SmallCNN``)
trained on ``--ref-per-class`` real images per class from the pool images the
split does not use scores them:

* ``fd``: the Fréchet distance between the CNN's 128-dimensional penultimate
  features of the draws and of the test images of the class, averaged over
  the minority classes (lower: closer to real images);
* ``oracle_acc``: the share of draws the CNN assigns to their own class;
* ``rec1_last``: Phase 1's reconstruction error per pixel in its last epoch.

For scale, ``--reference`` also scores copies drawn from the class's real
training images (what random over-sampling adds) and, against the test
images, other real pool images of the class.

    python benchmarks/decoder_check.py --seed 2 --out decoder.jsonl
    python benchmarks/decoder_check.py --configs '{"latent64": {"latent_dim": 64}}'

A configuration takes 5-10 minutes on 2 CPU cores (Phase 1 dominates).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.classifier import SmallCNN  # noqa: E402
from benchmarks.protocol import load_source, make_split  # noqa: E402

#: The autoencoder settings compared by default (``decode``, Phase 1 only is
#: added to each): the paper's routing of the image loss into the decoder
#: on every image for 1600 updates, its variations, and the current routing.
CONFIGS = {
    "paper_routing_all_images": {"phase1_image_loss": "decoder", "max_samples_per_class": None,
                                 "pretrain_updates": 1600},
    "paper_routing_latent64": {"phase1_image_loss": "decoder", "max_samples_per_class": None,
                               "pretrain_updates": 1600, "latent_dim": 64},
    "paper_routing_batch_norm": {"phase1_image_loss": "decoder", "max_samples_per_class": None,
                                 "pretrain_updates": 1600, "batch_norm": True},
    "paper_routing_no_lgm": {"phase1_image_loss": "decoder", "max_samples_per_class": None,
                             "pretrain_updates": 1600, "mixture": "empirical"},
    "paper_routing_sub1000_3000": {"phase1_image_loss": "decoder", "pretrain_updates": 3000},
    "classifier_routing_sub1000_3000": {"pretrain_updates": 3000},
    "plain_autoencoder_sub1000_3000": {"pretrain_updates": 3000, "mixture": "empirical",
                                       "loss_weights": {"img1": 0, "ltt1": 0}},
    "default": {},
}


def _tensor(X, shape, scale):
    X = np.asarray(X, dtype=np.float32).reshape((len(X), *shape)) / scale
    return torch.from_numpy(np.clip(X, 0.0, 1.0))


def train_reference(X, y, shape, n_classes, scale, epochs, seed):
    """The reference CNN on real images; returns (model, features function)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = SmallCNN(shape, n_classes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = _tensor(X, shape, scale), torch.as_tensor(y, dtype=torch.long)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(Xt), generator=gen)
        for start in range(0, len(order) - 1, 128):
            idx = order[start:start + 128]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx]).backward()
            opt.step()
    model.eval()

    @torch.no_grad()
    def features(Ximg):
        x = _tensor(Ximg, shape, scale)
        out = [(model.head[:-1](model.features(b)), model(b).argmax(1))
               for b in x.split(512)]
        return torch.cat([f for f, _ in out]).double().numpy(), torch.cat(
            [p for _, p in out]).numpy()

    return model, features


def frechet(a, b):
    """Fréchet distance between Gaussians fitted to two feature sets."""
    from scipy import linalg

    mu = a.mean(0) - b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(ca @ cb)
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(mu @ mu + np.trace(ca + cb - 2 * covmean))


def score(features, draws_by_class, real_by_class):
    """Mean FD and oracle accuracy over classes, and per class (acc, fd)."""
    per = {}
    for c, Xd in draws_by_class.items():
        f, pred = features(Xd)
        per[c] = [float(np.mean(pred == c)), frechet(f, features(real_by_class[c])[0])]
    return (float(np.mean([v[1] for v in per.values()])),
            float(np.mean([v[0] for v in per.values()])), per)


def config_parser(description):
    """The options every fit-only check shares: data, split, configurations."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--dataset", default="fashion-mnist")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--seed", type=int, default=2,
                   help="paper-protocol split (default 2: not a benchmark seed)")
    p.add_argument("--configs", default=None,
                   help="JSON {name: params} (or @file); default: CONFIGS")
    p.add_argument("--only", default=None, help="comma list of names from CONFIGS")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default=None, help="JSON lines, one per configuration")
    return p


def set_up(args, default):
    """Torch's threads set; ``(configs, source, split)``: ``--configs`` (JSON
    or @file) or ``default``, cut to ``--only``, and the protocol's split."""
    torch.set_num_threads(args.threads)
    configs = default
    if args.configs:
        text = args.configs
        configs = json.loads(Path(text[1:]).read_text() if text.startswith("@") else text)
    if args.only:
        configs = {k: configs[k] for k in args.only.split(",")}
    source = load_source(args.dataset, args.data_dir)
    return configs, source, make_split(source, args.seed, "paper", quick=False)


def main(argv=None):
    p = config_parser(__doc__.split("\n\n")[0])
    p.add_argument("--draws", type=int, default=1000, help="draws per minority class")
    p.add_argument("--ref-per-class", type=int, default=500)
    p.add_argument("--ref-epochs", type=int, default=10)
    p.add_argument("--reference", action="store_true",
                   help="also score real copies and other real images (scale)")
    args = p.parse_args(argv)
    configs, source, split = set_up(args, CONFIGS)

    from imblearn_meda import MEDALUDESampler

    shape, n_classes = source.image_shape, source.n_classes
    scale = float(split.X_train.max())
    rng = np.random.RandomState(args.seed)
    y_rest = source.y_pool[split.rest_idx]
    ref_idx = np.concatenate([
        rng.choice(pool, min(args.ref_per_class, len(pool)), replace=False)
        for pool in (split.rest_idx[y_rest == c] for c in range(n_classes))])
    _, features = train_reference(source.X_pool[ref_idx], source.y_pool[ref_idx], shape,
                                  n_classes, scale, args.ref_epochs, args.seed)
    minority = split.minority_classes
    real = {c: source.X_test[source.y_test == c] for c in minority}
    print(f"{args.dataset} seed {args.seed}: minority classes {minority}", flush=True)

    rows = []
    if args.reference:
        copies = {c: split.X_train[split.y_train == c][
            rng.randint((split.y_train == c).sum(), size=args.draws)] for c in minority}
        unused = np.setdiff1d(split.rest_idx, ref_idx)
        others = {c: source.X_pool[unused[source.y_pool[unused] == c][:args.draws]]
                  for c in minority}
        for name, draws in (("real_copies", copies), ("other_real_images", others)):
            fd, acc, per = score(features, draws, real)
            rows.append({"name": name, "fd": fd, "oracle_acc": acc, "per_class": per})
            print(json.dumps(rows[-1]), flush=True)
    for name, params in configs.items():
        full = {"synthesis": "decode", "n_iterations": 0, "max_shift": 0, **params}
        sampler = MEDALUDESampler(random_state=args.seed, image_shape=shape, **full)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sampler.fit(split.X_train.reshape(len(split.X_train), -1), split.y_train)
            fit_s = time.perf_counter() - start
            X_new, y_new = sampler.sample({c: args.draws for c in minority},
                                          random_state=args.seed)
        draws = {c: X_new[y_new == c] for c in minority}
        fd, acc, per = score(features, draws, real)
        rec = sampler.history_.where(phase="phase1")[-1].get("rec")
        rows.append({"name": name, "params": full, "fit_s": round(fit_s, 1),
                     "phase_s": sampler.phase_seconds_, "oracle_acc": acc, "fd": fd,
                     "per_class": per, "rec1_last": rec})
        print(json.dumps(rows[-1]), flush=True)
    if args.out:
        with open(args.out, "a") as fh:
            for r in rows:
                fh.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
