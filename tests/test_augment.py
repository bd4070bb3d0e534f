"""What is particular to AugmentedOverSampler (the shift/flip it applies); its
contract is in test_contract.py."""

import numpy as np
import pytest

from imblearn_meda import AugmentedOverSampler
from imblearn_meda.utils._augment import auto_shift, shift_and_flip

from conftest import digits_subset


def _dot(h=5, w=6, r=2, c=1):
    img = np.zeros((1, 1, h, w), dtype=np.uint8)
    img[0, 0, r, c] = 200
    return img


def test_shift_moves_the_content_down_and_right():
    img = _dot()
    out = shift_and_flip(img, np.array([[1, 2]]), np.array([False]))
    assert out.shape == img.shape and out.dtype == img.dtype
    assert np.argwhere(out[0, 0]).tolist() == [[3, 3]]


def test_negative_shift_and_flip():
    img = _dot()
    out = shift_and_flip(img, np.array([[-1, 0]]), np.array([True]))
    # Mirrored: column 1 of 6 becomes column 4; then up by one row.
    assert np.argwhere(out[0, 0]).tolist() == [[1, 4]]


def test_zero_shift_without_flip_is_the_identity():
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 255, (4, 3, 7, 7)).astype(np.uint8)
    out = shift_and_flip(imgs, np.zeros((4, 2), int), np.zeros(4, bool))
    np.testing.assert_array_equal(out, imgs)


def test_padding_fills_uncovered_pixels():
    img = np.full((1, 1, 4, 4), 9.0)
    img[0, 0, :, 0] = 5.0  # left border column
    img[0, 0, 0, 0] = 1.0  # the smallest value
    edge = shift_and_flip(img, np.array([[0, 2]]), np.array([False]), "edge")
    const = shift_and_flip(img, np.array([[0, 2]]), np.array([False]), "constant")
    np.testing.assert_array_equal(edge[0, 0, 1:, :2], 5.0)
    np.testing.assert_array_equal(const[0, 0, :, :2], 1.0)


def _variants(image, max_shift, flip):
    """Every shift (and mirror) of one (C, H, W) image."""
    out = []
    for f in ([False, True] if flip else [False]):
        for dy in range(-max_shift, max_shift + 1):
            for dx in range(-max_shift, max_shift + 1):
                out.append(shift_and_flip(image[None], np.array([[dy, dx]]),
                                          np.array([f]))[0])
    return out


@pytest.mark.parametrize("flip", [False, True])
def test_new_samples_are_moved_copies_of_their_class(flip):
    X, y = digits_subset()
    sampler = AugmentedOverSampler(random_state=0, flip=flip)
    X_res, y_res = sampler.fit_resample(X, y)
    n = len(X)
    np.testing.assert_array_equal(sampler.sample_indices_[:n], np.arange(n))
    src = sampler.sample_indices_[n:]
    assert (y[src] == y_res[n:]).all()
    images = X.reshape(-1, 1, 8, 8)
    moved = mirrored = 0
    for i, j in enumerate(src[:40]):
        new = X_res[n + i].reshape(1, 8, 8)
        assert any(np.array_equal(new, v) for v in _variants(images[j], 1, flip))
        moved += not np.array_equal(new, images[j])
        shifted = _variants(images[j], 1, False)
        mirrored += not any(np.array_equal(new, v) for v in shifted)
    assert moved > 20  # most copies are not plain duplicates
    # Copies that no shift alone makes: about half with flip=True.
    assert (mirrored > 10) if flip else (mirrored == 0)


def test_auto_shift_scales_with_the_image():
    assert [auto_shift((1, s, s)) for s in (8, 28, 32, 64)] == [1, 2, 2, 5]
    assert auto_shift((3, 64, 10)) == 1  # the shorter side decides
