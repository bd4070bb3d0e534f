"""Synthesis: new samples of one class from the evolved Gaussian.

Two ways to make a proposal (``synthesis``):

- :class:`DecodedDrafts`, the paper's: decoded draws of the class's evolved
  Gaussian;
- :class:`AnchoredDrafts`, residual: a real sample ``x`` (an anchor) with
  code ``e``, a displacement ``d`` drawn from the evolved Gaussian, and the
  sample ``G(e + d) + (x - G(e))``; every anchor gives an equal share.

Both draw their proposals from :class:`~._proposals.Proposer`, as Phase 4
does.

:func:`synthesize` runs either through the filter (both classifiers must
accept a proposal) and, when too few pass, fills up from :class:`Fallback`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..utils._augment import auto_shift, shift_and_flip
from ._phases import encode
from ._proposals import GUIDANCE_SPREAD, LatentGaussian, Proposer


def pick_anchors(Xn, y_idx, n_classes, n_max, seed):
    """Real samples per class (at most ``n_max``, chosen with ``seed``) that
    residual synthesis starts from, as float32 arrays on the networks' scale."""
    rng = np.random.RandomState(seed)
    anchors = []
    for k in range(n_classes):
        idx = np.flatnonzero(y_idx == k)
        if idx.size > n_max:
            idx = np.sort(rng.choice(idx, n_max, replace=False))
        anchors.append(np.array(Xn[idx], dtype=np.float32))
    return anchors


def accept(latent_classifier, image_classifier, k, f, x):
    """Which proposals both classifiers assign to class index ``k``, and the
    image classifier's probability of the class for each."""
    p_img = F.softmax(image_classifier(x), dim=1)
    ok = (latent_classifier(f).argmax(1) == k) & (p_img.argmax(1) == k)
    return ok, p_img[:, k]


def chunk_size(n, n_values):
    """Proposals per round: at most ~256 MB of samples of ``n_values`` floats."""
    return max(64, min(max(2 * n, 256), (256 * 1024**2) // (4 * n_values)))


@torch.no_grad()
def synthesize(drafts, n, chunk, judge=None):
    """Draw from ``drafts`` until ``n`` proposals are kept.

    Parameters
    ----------
    drafts : DecodedDrafts or AnchoredDrafts
    n : int
    chunk : int
        Proposals per round.
    judge : callable or None
        ``judge(f, x) -> (ok, score)``: which proposals pass the filter and
        the image classifier's probability of the class. ``None`` keeps
        every proposal.

    Returns
    -------
    out : Tensor on the host, ``n`` samples (fewer only if the draw budget
        ran out without a filter)
    n_drawn, n_passed : int
        Proposals drawn and proposals that passed.
    n_rejected : int
        Samples of ``out`` that the filter rejected (fill-ins).
    """
    kept, fallback = [], Fallback(n)
    n_drawn = n_passed = 0
    while drafts.missing() > 0:
        draft = drafts.draw(chunk)
        if draft is None:  # the draw budget is spent
            break
        f, x, owner = draft
        n_drawn += f.shape[0]
        if judge is not None:
            ok, score = judge(f, x)
        else:
            ok, score = torch.ones(f.shape[0], dtype=torch.bool, device=f.device), None
        n_passed += int(ok.sum())
        keep = drafts.take(owner, ok)
        kept.append(x[keep].cpu())
        if score is not None:
            fallback.add(x, ok, score, keep)
    out = torch.cat(kept)
    n_rejected = 0
    missing = n - out.shape[0]
    if missing:
        fill, n_rejected = fallback.best(missing)
        out = torch.cat([out, fill])
    return out, n_drawn, n_passed, n_rejected


class DecodedDrafts:
    """Proposals without anchors (decoded draws), at most ``max_draw_factor *
    n``; the first ``n`` accepted ones are kept."""

    def __init__(self, proposer, gauss, n, max_draw_factor):
        self.proposer, self.gauss, self.n = proposer, gauss, n
        self.n_kept = 0
        self.left = max_draw_factor * n

    def missing(self):
        return self.n - self.n_kept

    def draw(self, chunk):
        m = min(chunk, self.left)
        if m == 0:
            return None
        self.left -= m
        batch = self.proposer.draw(self.gauss, m)
        return batch.f, self.proposer.images(batch), None

    def take(self, owner, ok):
        keep = torch.nonzero(ok).flatten()[: self.missing()]
        self.n_kept += keep.numel()
        return keep


class AnchoredDrafts:
    """``synthesis='residual'`` with a quota per anchor.

    Every anchor of the class is to give ``n // A`` accepted samples (a
    random ``n % A`` of them one more), as random over-sampling copies every
    real sample equally often. Without quotas the filter would favour the
    anchors whose neighbourhood the classifiers find easy: on Fashion-MNIST's
    pullover and coat classes (50 images each, the paper's protocol) the
    share of accepted draws per anchor ran from 0.1 to 1.0, so the real
    images nearest another class were up to ten times under-represented among
    the new samples. Each round asks every anchor for its missing count
    divided by its acceptance rate so far. An anchor gets at most
    ``max_draw_factor * quota`` draws; what the anchors could not fill
    within them, up to ``max_draw_factor`` times as many draws around
    anchors picked at random fill, as without quotas.
    """

    def __init__(self, proposer, gauss, n, max_draw_factor):
        self.proposer, self.gauss = proposer, gauss
        device = gauss.center.device
        self.n_anchors = n_anchors = proposer.n_anchors
        self.need = torch.full((n_anchors,), n // n_anchors, dtype=torch.long,
                               device=device)
        self.need[torch.randperm(n_anchors, device=device)[: n % n_anchors]] += 1
        self.factor = max_draw_factor
        self.cap = self.need * max_draw_factor
        self.drawn = torch.zeros(n_anchors, dtype=torch.long, device=device)
        self.passed = torch.zeros_like(self.drawn)
        self.free = 0  # quota the anchors could not fill within their cap
        self.free_left = None  # draws left for it

    def missing(self):
        return int(self.need.sum()) + self.free

    def draw(self, chunk):
        device = self.need.device
        room = (self.cap - self.drawn).clamp_min(0) * (self.need > 0)
        if self.free_left is None and int(room.sum()) == 0:
            # Every anchor with a quota left has used its draws.
            self.free, self.need = int(self.need.sum()), torch.zeros_like(self.need)
            self.free_left = self.factor * self.free
        if self.free_left is not None:
            m = min(chunk, self.free_left)
            if m == 0:
                return None
            self.free_left -= m
            owner = torch.randint(0, self.n_anchors, (m,), device=device)
        else:
            # Acceptance so far, starting from 1 (without the filter every
            # draw passes, and the first round asks for exactly the quotas).
            rate = (self.passed + 1).double() / (self.drawn + 1).double()
            ask = torch.minimum(torch.ceil(self.need.double() / rate).long(), room)
            owner = torch.repeat_interleave(
                torch.arange(self.n_anchors, device=device), ask)
            if owner.numel() > chunk:
                owner = owner[torch.randperm(owner.numel(), device=device)[:chunk]]
        batch = self.proposer.draw(self.gauss, owner.numel(), owner)
        return batch.f, self.proposer.images(batch), owner

    def take(self, owner, ok):
        """Of the accepted draws, keep at most the missing count per anchor
        (or, once quotas are given up, the first accepted ones)."""
        n_anchors = self.n_anchors
        self.drawn += torch.bincount(owner, minlength=n_anchors)
        self.passed += torch.bincount(owner[ok], minlength=n_anchors)
        cand = torch.nonzero(ok).flatten()
        if self.free_left is not None:
            keep = cand[: self.free]
            self.free -= keep.numel()
            return keep
        order = torch.argsort(owner[cand], stable=True)
        cand = cand[order]
        by = owner[cand]
        count = torch.bincount(by, minlength=n_anchors)
        first = torch.cumsum(count, 0) - count
        rank = torch.arange(by.numel(), device=by.device) - first[by]
        keep = cand[rank < self.need[by]]
        self.need -= torch.bincount(owner[keep], minlength=n_anchors)
        return keep


class Fallback:
    """The ``n`` draws not kept that the image classifier rates most likely
    of the class (accepted draws beyond an anchor's quota first), on the
    host, in case too few draws pass."""

    def __init__(self, n):
        self.n = n
        self.x = self.ok = self.score = None

    def add(self, x, ok, score, keep):
        other = torch.ones_like(ok)
        other[keep] = False
        # Cut to this round's best n on the device; only those go to the host.
        idx = torch.nonzero(other).flatten()
        idx = idx[self._top(ok[idx], score[idx])]
        xs, oks, scores = x[idx].cpu(), ok[idx].cpu(), score[idx].cpu()
        if self.x is not None:
            xs = torch.cat([self.x, xs])
            oks, scores = torch.cat([self.ok, oks]), torch.cat([self.score, scores])
        best = self._top(oks, scores)
        self.x, self.ok, self.score = xs[best], oks[best], scores[best]

    def _top(self, ok, score):
        """Indices of the best ``n``: accepted draws first, then by the image
        classifier's probability (a probability is at most 1)."""
        rank = score + 2 * ok.to(score.dtype)
        return torch.argsort(rank, descending=True, stable=True)[: self.n]

    def best(self, m):
        """The ``m`` best, and how many of them both classifiers rejected."""
        return self.x[:m], int((~self.ok[:m]).sum())


class Synthesis:
    """MEDALUDESampler's synthesis: proposals, the filter, the augmentation."""

    def _accept(self, k, f, x):
        return accept(self.latent_classifier_, self.image_classifier_, k, f, x)

    @torch.no_grad()
    def _generate(self, k, n):
        if self.filter_synthetic and self.image_classifier_ is None:
            raise ValueError(
                "filter_synthetic=True needs the image classifier, which this fit did "
                "not train (it was fitted with filter_synthetic=False and without "
                "Phases 2 and 4); fit again with filter_synthetic=True.")
        device = self.device_
        as32 = lambda a: torch.as_tensor(a, dtype=torch.float32, device=device)  # noqa: E731
        trils = self.correlation_factors_
        gauss = LatentGaussian(as32(self.sampling_means_[k]),
                               as32(self.sampling_variances_[k]), float(self.guidance_[k]),
                               None if trils is None else as32(trils[k]))
        guides = None if self.guides_ is None else as32(self.guides_)
        is_image = self.image_shape_ is not None
        if self.synthesis == "residual":
            x_a = as32(self.anchors_[self.classes_[k].item()])
            codes = encode(self.encoder_, x_a, 256, device)
            proposer = Proposer(self.decoder_, x_a, codes, guides, GUIDANCE_SPREAD, is_image,
                                float(self.neighbour_interpolation))
            drafts = AnchoredDrafts(proposer, gauss, n, self.max_draw_factor)
        else:
            proposer = Proposer(self.decoder_, guides=guides,
                                guidance_spread=GUIDANCE_SPREAD, is_image=is_image)
            drafts = DecodedDrafts(proposer, gauss, n, self.max_draw_factor)
        judge = (lambda f, x: self._accept(k, f, x)) if self.filter_synthetic else None
        chunk = chunk_size(n, int(np.prod(self.image_shape_ or (self.n_features_in_,))))
        out, n_drawn, n_passed, n_rejected = synthesize(drafts, n, chunk, judge)
        if self.synthesis == "residual":
            # Kept samples come grouped by anchor; shuffle them so that any
            # slice of the output is a fair draw.
            out = out[torch.randperm(out.shape[0])]
        out = self._augment(out)
        info = {"drawn": n_drawn, "passed": n_passed, "kept": n - n_rejected,
                "rejected": n_rejected}
        return out.numpy(), info

    def _augment(self, out):
        """Shift (and mirror) the new images, as ``max_shift`` and ``flip`` ask."""
        if self.image_shape_ is None:
            return out
        s = auto_shift(self.image_shape_) if self.max_shift == "auto" else int(self.max_shift)
        if s == 0 and not self.flip:
            return out
        n = out.shape[0]
        shifts = torch.randint(-s, s + 1, (n, 2)).numpy()
        flips = (torch.rand(n) < 0.5).numpy() if self.flip else np.zeros(n, bool)
        return torch.as_tensor(shift_and_flip(out.numpy(), shifts, flips))

    def _keep_synthesis_stats(self, stats):
        self.acceptance_ = {c: i["passed"] / max(i["drawn"], 1) for c, i in stats.items()}
