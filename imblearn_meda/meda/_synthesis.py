"""Synthesis: new samples of one class from the evolved Gaussian.

Two ways to make a proposal (``synthesis``):

- :class:`DecodedDrafts`, the paper's: decode a draw ``f ~ N(M, S)``;
- :class:`AnchoredDrafts`, residual: a real sample ``x`` (an anchor) with
  code ``e = E(x)``, a draw ``f = e + (M - M_init) + sqrt(S) eps``, and the
  sample ``G(f) + (x - G(e))``; every anchor gives an equal share.

:func:`synthesize` runs either through the filter (both classifiers must
accept a proposal) and, when too few pass, fills up from :class:`Fallback`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


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
    """``synthesis='decode'``: decoded draws of ``N(mu, std**2)``, at most
    ``max_draw_factor * n``; the first ``n`` accepted ones are kept."""

    def __init__(self, decoder, n, mu, std, max_draw_factor):
        self.decoder, self.n, self.mu, self.std = decoder, n, mu, std
        self.n_kept = 0
        self.left = max_draw_factor * n

    def missing(self):
        return self.n - self.n_kept

    def draw(self, chunk):
        m = min(chunk, self.left)
        if m == 0:
            return None
        self.left -= m
        f = self.mu + self.std * torch.randn(m, self.mu.shape[0],
                                             device=self.mu.device)
        return f, self.decoder(f), None

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

    def __init__(self, encoder, decoder, anchors, shift, std, n, max_draw_factor,
                 is_image):
        device = std.device
        self.n_anchors = n_anchors = anchors.shape[0]
        self.decoder = decoder
        self.codes = torch.cat([encoder(anchors[i:i + 256])
                                for i in range(0, n_anchors, 256)])
        self.details = anchors - torch.cat([
            self.decoder(self.codes[i:i + 256]) for i in range(0, n_anchors, 256)
        ])
        # Phase 4 moves the class Gaussian; every anchor moves with it.
        self.shift = shift
        self.std = std
        self.is_image = is_image
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
        f = (self.codes[owner] + self.shift
             + self.std * torch.randn(owner.numel(), self.std.shape[0], device=device))
        x = self.decoder(f) + self.details[owner]
        return f, x.clamp(0.0, 1.0) if self.is_image else x, owner

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
