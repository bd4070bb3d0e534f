"""Phases 1-3: each phase moves exactly the parameters Algorithm 1 names.

Algorithm 1 of the paper:

* Phase 1: encoder by L_rec1, L_GM1, L_ltt1; decoder by L_rec1, L_img1;
  C_ltt by L_ltt1; C_img by L_img1; M and S by L_GM1.
* Phase 2: decoder (L_rec2, L_img2) and C_img (L_img2) only.
* Phase 3: encoder and C_ltt only (decoder frozen, mixture a fixed target).
"""

import pytest
import torch

from imblearn_meda.meda._lgm import GaussianMixture
from imblearn_meda.meda._phases import (
    DEFAULT_LOSS_WEIGHTS,
    MEDAModel,
    phase1_losses,
    phase1_parameters,
    phase2_losses,
    phase2_parameters,
    phase3_losses,
    phase3_parameters,
    run_phase1,
    run_phase2,
    run_phase3,
    weighted_mean,
)
from imblearn_meda.nn import auto_epochs, build_networks

from conftest import changed, snapshot

PARTS = ("encoder", "decoder", "latent_classifier", "image_classifier", "mixture")
N_CLASSES = 3


def make_model(weights=None, image=True, seed=0, bounds=(-6.0, 3.0)):
    torch.manual_seed(seed)
    shape = (1, 8, 8) if image else None
    enc, dec, ltt, img = build_networks(shape, 64 if image else 5, N_CLASSES, 4,
                                        base_channels=4, hidden=16)
    w = dict(DEFAULT_LOSS_WEIGHTS)
    if weights is not None:
        w = {k: 0.0 for k in w} | weights
    return MEDAModel(
        encoder=enc, decoder=dec, latent_classifier=ltt, image_classifier=img,
        mixture=GaussianMixture(N_CLASSES, 4, bounds), alpha=0.1, lam=0.01,
        weights=w, is_image=image,
    )


def make_data(n=24, image=True, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(n, 1, 8, 8, generator=g) if image else torch.randn(n, 5, generator=g)
    y = torch.arange(n) % N_CLASSES
    w = torch.where(y == 2, 1.0, 0.5)
    return X, y, w


def snap_all(model):
    return {part: snapshot(getattr(model, part)) for part in PARTS}


def changed_parts(before, model):
    """Parts whose parameters all changed / partly changed."""
    out = {}
    for part in PARTS:
        names = changed(before[part], getattr(model, part))
        total = len(list(getattr(model, part).parameters()))
        out[part] = "all" if len(names) == total else ("some" if names else "none")
    return out


def one_step_phase1(model, X, y, w):
    run_phase1(model, X, y, w, epochs=1, batch_size=len(X), lr=1e-2,
               variance_lr=1e-2, device=torch.device("cpu"), verbose=0)


def one_step_phase2(model, X, y, w):
    run_phase2(model, X, y, w, epochs=1, batch_size=len(X), lr=1e-2,
               device=torch.device("cpu"), iteration=0, verbose=0)


def one_step_phase3(model):
    run_phase3(model, n_steps=1, epochs=1, batch_size=16, lr=1e-2,
               device=torch.device("cpu"), iteration=0, verbose=0)


@pytest.mark.parametrize("image", [True, False])
def test_phase1_default_weights_update_everything(image):
    model = make_model(image=image)
    X, y, w = make_data(image=image)
    before = snap_all(model)
    one_step_phase1(model, X, y, w)
    assert changed_parts(before, model) == {p: "all" for p in PARTS}


def test_phase1_image_loss_never_reaches_the_encoder():
    """Only b_img1 on: the decoder and C_img move, the encoder does not."""
    model = make_model({"img1": 1.0})
    X, y, w = make_data()
    before = snap_all(model)
    one_step_phase1(model, X, y, w)
    assert changed_parts(before, model) == {
        "encoder": "none", "decoder": "all", "latent_classifier": "none",
        "image_classifier": "all", "mixture": "none",
    }


def test_phase1_image_loss_gradient_is_exactly_zero_on_encoder():
    """Stronger than a zero update: L_img1 puts no gradient on E at all."""
    model = make_model({"img1": 1.0})
    X, y, w = make_data()
    total, parts = phase1_losses(model, X, y, w)
    assert parts["img"].item() > 0
    parts["img"].backward()
    assert all(p.grad is None for p in model.encoder.parameters())
    assert all(p.grad is not None for p in model.decoder.parameters())


def test_phase1_reconstruction_only_moves_encoder_and_decoder():
    model = make_model({"rec1": 1.0})
    X, y, w = make_data()
    before = snap_all(model)
    one_step_phase1(model, X, y, w)
    assert changed_parts(before, model) == {
        "encoder": "all", "decoder": "all", "latent_classifier": "none",
        "image_classifier": "none", "mixture": "none",
    }


def test_phase1_gm_only_moves_encoder_and_mixture():
    model = make_model({"gm1": 1.0})
    X, y, w = make_data()
    before = snap_all(model)
    one_step_phase1(model, X, y, w)
    assert changed_parts(before, model) == {
        "encoder": "all", "decoder": "none", "latent_classifier": "none",
        "image_classifier": "none", "mixture": "all",
    }


def test_phase1_latent_classifier_loss_moves_encoder_and_c_ltt():
    model = make_model({"ltt1": 1.0})
    X, y, w = make_data()
    before = snap_all(model)
    one_step_phase1(model, X, y, w)
    assert changed_parts(before, model) == {
        "encoder": "all", "decoder": "none", "latent_classifier": "all",
        "image_classifier": "none", "mixture": "none",
    }


def test_phase1_total_is_the_weighted_sum_and_xi_weights_majority():
    model = make_model({"rec1": 2.0, "gm1": 3.0, "ltt1": 0.5, "img1": 1.5})
    X, y, w = make_data()
    torch.manual_seed(0)
    total, parts = phase1_losses(model, X, y, w)
    expected = 2 * parts["rec"] + 3 * parts["gm"] + 0.5 * parts["ltt"] + 1.5 * parts["img"]
    torch.testing.assert_close(total, expected)
    # L_min + xi L_maj, normalised: a majority sample weighs xi.
    loss = torch.tensor([1.0, 3.0, 5.0])
    wts = torch.tensor([1.0, 0.5, 0.5])
    torch.testing.assert_close(weighted_mean(loss, wts), torch.tensor(5.0 / 2.0))


def test_phase1_parameter_groups_cover_all_networks_and_slow_variances():
    model = make_model()
    groups = phase1_parameters(model, 1e-3, 1e-5)
    ids = [{id(p) for p in g["params"]} for g in groups]
    nets = {id(p) for part in PARTS[:4] for p in getattr(model, part).parameters()}
    assert ids[0] == nets
    assert ids[1] == {id(model.mixture.means)}
    assert ids[2] == {id(model.mixture.log_vars)}
    assert [g["lr"] for g in groups] == [1e-3, 1e-3, 1e-5]


def test_run_phase1_keeps_log_variances_inside_bounds():
    """A large variance learning rate would overshoot without the projection."""
    bounds = (-0.0625, 0.0625)  # exact in float32
    model = make_model(bounds=bounds)
    X, y, w = make_data()
    run_phase1(model, X, y, w, epochs=5, batch_size=8, lr=1e-3, variance_lr=1.0,
               device=torch.device("cpu"), verbose=0)
    lv = model.mixture.log_vars.detach()
    assert lv.min().item() >= bounds[0] and lv.max().item() <= bounds[1]
    # ...and the optimiser did push them to the bounds.
    assert ((lv == bounds[0]) | (lv == bounds[1])).any()


def test_phase2_moves_only_decoder_and_image_classifier():
    model = make_model()
    X, y, w = make_data()
    before = snap_all(model)
    one_step_phase2(model, X, y, w)
    assert changed_parts(before, model) == {
        "encoder": "none", "decoder": "all", "latent_classifier": "none",
        "image_classifier": "all", "mixture": "none",
    }


def test_phase2_loss_puts_no_gradient_on_encoder_latent_classifier_or_mixture():
    model = make_model()
    X, y, w = make_data()
    total, _ = phase2_losses(model, X, y, w, X.flip(0))
    total.backward()
    for part in ("encoder", "latent_classifier", "mixture"):
        assert all(p.grad is None for p in getattr(model, part).parameters()), part
    ids = {id(p) for p in phase2_parameters(model)}
    assert ids == {id(p) for p in model.decoder.parameters()} | {
        id(p) for p in model.image_classifier.parameters()}


@pytest.mark.parametrize("target, rec2, partner_matters", [
    ("partner", 10.0, True),   # the paper's Phase 2
    ("partner", 0.0, False),
    ("input", 10.0, False),    # the default: the batch's own reconstruction
])
def test_phase2_reconstruction_target(target, rec2, partner_matters):
    X, y, w = make_data()
    model = make_model(weights=dict(DEFAULT_LOSS_WEIGHTS, rec2=rec2))
    model.phase2_target = target
    totals = []
    for partner in (X, torch.zeros_like(X)):
        with torch.random.fork_rng():
            torch.manual_seed(1)
            total, parts = phase2_losses(model, X, y, w, partner)
        totals.append(total.item())
    assert parts["rec"].item() > 0  # logged either way
    assert (totals[0] != totals[1]) == partner_matters
    if target == "input":
        # The decoding of the batch's frozen codes against the batch: the
        # decoder learns from it, the encoder does not.
        with torch.no_grad():
            expected = ((model.decoder(model.encoder(X)) - X) ** 2).flatten(1).mean(1)
        torch.testing.assert_close(parts["rec"], (expected * w).sum() / w.sum())
        model.encoder.zero_grad()
        parts["rec"].backward()
        assert all(p.grad is None for p in model.encoder.parameters())
        assert any(p.grad is not None for p in model.decoder.parameters())


def test_phase2_partner_is_a_real_sample_of_the_same_class():
    from imblearn_meda.meda._phases import ClassPartners

    y = torch.tensor([2, 0, 1, 2, 0, 2, 1])
    partners = ClassPartners(y, 3)
    labels = torch.tensor([0, 1, 2] * 200)
    idx = partners(labels)
    assert torch.equal(y[idx], labels)
    # Every member of each class is drawn at some point.
    assert set(idx.tolist()) == set(range(len(y)))


def test_phase3_moves_only_encoder_and_latent_classifier():
    model = make_model()
    before = snap_all(model)
    one_step_phase3(model)
    assert changed_parts(before, model) == {
        "encoder": "all", "decoder": "none", "latent_classifier": "all",
        "image_classifier": "none", "mixture": "none",
    }


def test_phase3_loss_puts_no_gradient_on_decoder_or_mixture():
    model = make_model()
    total, parts = phase3_losses(model, torch.tensor([0, 1, 2, 2]))
    total.backward()
    for part in ("decoder", "image_classifier", "mixture"):
        assert all(p.grad is None for p in getattr(model, part).parameters()), part
    assert all(p.grad is not None for p in model.encoder.parameters())
    ids = {id(p) for p in phase3_parameters(model)}
    assert ids == {id(p) for p in model.encoder.parameters()} | {
        id(p) for p in model.latent_classifier.parameters()}


def test_phases_log_one_history_row_per_epoch():
    model = make_model()
    X, y, w = make_data()
    run_phase1(model, X, y, w, 2, 12, 1e-3, 1e-4, torch.device("cpu"), 0)
    run_phase2(model, X, y, w, 3, 12, 1e-3, torch.device("cpu"), 1, 0)
    run_phase3(model, 2, 1, 12, 1e-3, torch.device("cpu"), 1, 0)
    rows = [(r["phase"], r["iteration"], r["epoch"]) for r in model.history]
    assert rows == [("phase1", 0, 0), ("phase1", 0, 1), ("phase2", 1, 0), ("phase2", 1, 1),
                    ("phase2", 1, 2), ("phase3", 1, 0)]
    assert {"loss", "rec", "gm", "ltt", "img"} <= set(model.history[0])


def test_auto_epochs():
    assert auto_epochs(7, 1000, 10, 1500, 10, 100) == 7
    assert auto_epochs("auto", 1000, 100, 1500, 10, 100) == 100  # 150 capped
    assert auto_epochs("auto", 100, 100, 1500, 10, 100) == 100
    assert auto_epochs("auto", 100000, 100, 1500, 10, 100) == 10  # 2 -> floor 10
    assert auto_epochs("auto", 6400, 64, 1500, 10, 100) == 15


@pytest.mark.parametrize("to_decoder", [True, False])
def test_phase1_image_loss_reaches_the_decoder_only_on_request(to_decoder):
    """L_img1 on reconstructions trains C_img; the decoder only with the
    paper's routing (``img1_to_decoder``), and never the encoder."""
    X, y, w = make_data()
    model = make_model(weights={"img1": 1.0})
    model.img1_to_decoder = to_decoder
    total, _ = phase1_losses(model, X, y, w)
    total.backward()
    dec = [p.grad for p in model.decoder.parameters()]
    assert any(g is not None and g.abs().sum() > 0 for g in dec) == to_decoder
    assert all(p.grad is None or p.grad.abs().sum() == 0
               for p in model.encoder.parameters())
    assert any(p.grad is not None for p in model.image_classifier.parameters())
