"""Batch average hash against ``imagehash.average_hash`` on real images."""

import os

import imagehash
import numpy as np
import pytest
import torch
from PIL import Image
from sklearn.datasets import load_digits

from imblearn_meda.meda._similarity import AverageHasher, hash_similarity, resize_matrix

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def reference_bits(images_u8):
    """``imagehash.average_hash`` of each uint8 image (n, H, W) or (n, H, W, 3)."""
    return np.stack([
        imagehash.average_hash(Image.fromarray(im)).hash.flatten() for im in images_u8
    ])


def batch_bits(images_u8):
    """AverageHasher on the same images, given as [0, 1] floats (n, C, H, W)."""
    x = images_u8.astype(np.float64) / 255.0
    x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)
    hasher = AverageHasher(x.shape[1:], torch.device("cpu"))
    return hasher.hash(torch.as_tensor(x)).numpy()


def agreement(images_u8):
    ref, got = reference_bits(images_u8), batch_bits(images_u8)
    assert ref.shape == got.shape == (len(images_u8), 64)
    return (ref == got).mean()


def test_matches_imagehash_on_fashion_mnist():
    """500 real 28x28 Fashion-MNIST images: every bit agrees.

    The implementation emulates PIL's fixed-point LANCZOS resize, so it is
    exact on 8-bit images; 100% agreement is asserted.
    """
    if not os.path.isdir(FASHION_DIR):
        pytest.skip(f"Fashion-MNIST not found at {FASHION_DIR}")
    from imblearn_meda.datasets import load_idx

    X_train, _, _, _ = load_idx(FASHION_DIR)
    rng = np.random.default_rng(0)
    images = X_train[rng.choice(len(X_train), 500, replace=False), 0]
    assert agreement(images) == 1.0


def test_matches_imagehash_on_digits():
    """All 1797 sklearn digits (8x8, scaled to uint8): exact, 100% agreement.

    At 8x8 PIL's resize is a copy, so this checks grey levels and the mean.
    """
    X, _ = load_digits(return_X_y=True)
    images = np.rint(X.reshape(-1, 8, 8) * 255.0 / 16.0).astype(np.uint8)
    assert agreement(images) == 1.0


@pytest.mark.parametrize(
    "size", [(13, 29), (5, 7), (8, 33), (33, 8), (29, 29), (31, 45), (220, 220)]
)
def test_matches_imagehash_on_random_rgb_of_odd_sizes(size):
    """Random RGB (grey conversion + down- and up-sampling): exact, 100% agreement."""
    rng = np.random.default_rng(sum(size))
    n = 10 if size[0] > 100 else 40
    images = rng.integers(0, 256, size=(n, *size, 3), dtype=np.uint8)
    assert agreement(images) == 1.0


@pytest.mark.parametrize("size", [(37, 21), (64, 9), (21, 9)])
def test_matches_imagehash_on_tall_rgb_images(size):
    """Tall images, resampled on both axes: should also agree 100%."""
    rng = np.random.default_rng(sum(size))
    images = rng.integers(0, 256, size=(40, *size, 3), dtype=np.uint8)
    assert agreement(images) == 1.0


def test_matches_imagehash_on_smooth_rgb_images():
    """Smooth gradients put many pixels near the mean: still exact (100%)."""
    h, w = 31, 45
    yy, xx = np.mgrid[0:h, 0:w]
    images = []
    for k in range(30):
        r = (xx * (3 + k) + yy * 2) % 256
        g = (yy * (5 + k)) % 256
        b = (xx + yy + 7 * k) % 256
        images.append(np.stack([r, g, b], -1).astype(np.uint8))
    assert agreement(np.stack(images)) == 1.0


def test_resize_matrix_rows_sum_to_one_in_fixed_point():
    for n_in in (5, 8, 28, 33, 220):
        mat = resize_matrix(n_in, 8)
        sums = mat.sum(1) / 2**22
        np.testing.assert_allclose(sums, 1.0, atol=8 / 2**22)


def test_hash_similarity_is_one_minus_hamming_over_64():
    rng = np.random.default_rng(0)
    a = rng.random((6, 64)) > 0.5
    b = rng.random((4, 64)) > 0.5
    b[0] = a[2]  # an identical pair
    b[1] = ~a[3]  # a complementary pair
    sim = hash_similarity(torch.as_tensor(a), torch.as_tensor(b)).numpy()
    by_hand = np.array([
        [1.0 - sum(x != y for x, y in zip(a[i], b[j])) / 64.0 for j in range(4)]
        for i in range(6)
    ])
    np.testing.assert_allclose(sim, by_hand, atol=1e-7)
    assert sim[2, 0] == 1.0 and sim[3, 1] == 0.0


def test_hash_similarity_agrees_with_imagehash_difference():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(5, 20, 20), dtype=np.uint8)
    hashes = [imagehash.average_hash(Image.fromarray(im)) for im in images]
    bits = torch.as_tensor(batch_bits(images))
    sim = hash_similarity(bits, bits).numpy()
    for i in range(5):
        for j in range(5):
            assert sim[i, j] == pytest.approx(1 - (hashes[i] - hashes[j]) / 64)


def test_hash_of_float_images_rounds_to_8_bits():
    """Network outputs in [0, 1] hash like the 8-bit image they round to."""
    rng = np.random.default_rng(2)
    x = rng.random((10, 1, 16, 16))
    u8 = np.rint(x * 255).astype(np.uint8)[:, 0]
    hasher = AverageHasher((1, 16, 16), torch.device("cpu"))
    got = hasher.hash(torch.as_tensor(x)).numpy()
    np.testing.assert_array_equal(got, reference_bits(u8))
