"""AugmentedOverSampler and the shift/flip it applies."""

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
    np.testing.assert_array_equal(X_res[:n], X)
    assert np.bincount(y_res).tolist() == [60, 60, 60]
    src = sampler.sample_indices_[n:]
    assert (y[src] == y_res[n:]).all()
    images = X.reshape(-1, 1, 8, 8)
    moved = 0
    for i, j in enumerate(src[:40]):
        new = X_res[n + i].reshape(1, 8, 8)
        assert any(np.array_equal(new, v) for v in _variants(images[j], 1, flip))
        moved += not np.array_equal(new, images[j])
    assert moved > 20  # most copies are not plain duplicates


def test_images_keep_shape_and_dtype():
    X, y = digits_subset()
    X8 = (X * 15).astype(np.uint8).reshape(-1, 8, 8)
    X_res, y_res = AugmentedOverSampler(random_state=1).fit_resample(X8, y)
    assert X_res.shape == (len(y_res), 8, 8) and X_res.dtype == np.uint8


def test_same_seed_same_output_other_seed_other_output():
    X, y = digits_subset()
    a = AugmentedOverSampler(random_state=3).fit_resample(X, y)[0]
    b = AugmentedOverSampler(random_state=3).fit_resample(X, y)[0]
    c = AugmentedOverSampler(random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_tabular_data_is_refused_with_a_clear_error():
    X = np.random.default_rng(0).normal(size=(30, 5))
    y = np.r_[np.zeros(20, int), np.ones(10, int)]
    with pytest.raises(ValueError, match="tabular"):
        AugmentedOverSampler().fit_resample(X, y)


def test_auto_shift_scales_with_the_image():
    assert [auto_shift((1, s, s)) for s in (8, 28, 32, 64)] == [1, 2, 2, 5]
    assert auto_shift((3, 64, 10)) == 1  # the shorter side decides
