"""Tests of imblearn_meda.datasets (small files written into tmp_path)."""

import gzip
import os
import pickle
import struct
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from imblearn_meda.datasets import (
    default_fashion_mnist_dir,
    exponential_counts,
    gamo_counts,
    load_cifar10,
    load_digits_images,
    load_idx,
    load_image_folder,
    make_imbalance_split,
    paper_counts,
    paper_minority_classes,
    read_idx,
)

# ---------------------------------------------------------------------------
# helpers writing files in the idx format by hand
# ---------------------------------------------------------------------------


def idx_bytes(array, type_code=0x08, dtype=">u1"):
    array = np.asarray(array)
    header = bytes([0, 0, type_code, array.ndim])
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(dtype).tobytes()


def write(path, payload, compress=False):
    if compress:
        with gzip.open(str(path) + ".gz", "wb") as f:
            f.write(payload)
    else:
        with open(path, "wb") as f:
            f.write(payload)


def make_idx_dir(root, n_train=5, n_test=3, h=4, w=3, compress=False, dotted=False):
    rng = np.random.RandomState(0)
    Xtr = rng.randint(0, 256, size=(n_train, h, w)).astype(np.uint8)
    ytr = rng.randint(0, 10, size=n_train).astype(np.uint8)
    Xte = rng.randint(0, 256, size=(n_test, h, w)).astype(np.uint8)
    yte = rng.randint(0, 10, size=n_test).astype(np.uint8)
    sep = "." if dotted else "-"
    write(root / f"train-images{sep}idx3-ubyte", idx_bytes(Xtr), compress)
    write(root / f"train-labels{sep}idx1-ubyte", idx_bytes(ytr), compress)
    write(root / f"t10k-images{sep}idx3-ubyte", idx_bytes(Xte), compress)
    write(root / f"t10k-labels{sep}idx1-ubyte", idx_bytes(yte), compress)
    return Xtr, ytr, Xte, yte


# ---------------------------------------------------------------------------
# idx
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dotted", [False, True])
def test_load_idx_round_trip(tmp_path, compress, dotted):
    Xtr, ytr, Xte, yte = make_idx_dir(tmp_path, compress=compress, dotted=dotted)
    X_train, y_train, X_test, y_test = load_idx(tmp_path)
    assert X_train.dtype == np.uint8 and X_train.shape == (5, 1, 4, 3)
    assert X_test.shape == (3, 1, 4, 3)
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    np.testing.assert_array_equal(X_train[:, 0], Xtr)
    np.testing.assert_array_equal(X_test[:, 0], Xte)
    np.testing.assert_array_equal(y_train, ytr)
    np.testing.assert_array_equal(y_test, yte)


def test_read_idx_parses_header_dtype_and_dims(tmp_path):
    # A 2x3 big-endian int32 array: the header decides dtype and shape.
    arr = np.array([[1, -2, 3], [70000, 5, -6]], dtype=np.int32)
    path = tmp_path / "ints.idx"
    write(path, idx_bytes(arr, type_code=0x0C, dtype=">i4"))
    out = read_idx(path)
    assert out.shape == (2, 3)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, arr)


def test_load_idx_missing_file_names_directory_and_file(tmp_path):
    make_idx_dir(tmp_path)
    os.remove(tmp_path / "t10k-labels-idx1-ubyte")
    with pytest.raises(FileNotFoundError) as info:
        load_idx(tmp_path)
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte" in message
    assert str(tmp_path) in message


def test_load_idx_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_idx(tmp_path / "nowhere")


def test_load_idx_bad_magic(tmp_path):
    make_idx_dir(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    raw = bytearray(path.read_bytes())
    raw[0] = 1
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="magic"):
        load_idx(tmp_path)


def test_load_idx_unknown_type_code(tmp_path):
    make_idx_dir(tmp_path)
    path = tmp_path / "train-labels-idx1-ubyte"
    raw = bytearray(path.read_bytes())
    raw[2] = 0x07
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="type code"):
        load_idx(tmp_path)


def test_load_idx_truncated_payload(tmp_path):
    make_idx_dir(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match="bytes"):
        load_idx(tmp_path)


def test_load_idx_count_mismatch(tmp_path):
    make_idx_dir(tmp_path, n_train=5)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(ValueError, match="5 images.*4 labels"):
        load_idx(tmp_path)


def test_load_idx_images_must_be_3d(tmp_path):
    make_idx_dir(tmp_path)
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(np.zeros((5, 12), np.uint8)))
    with pytest.raises(ValueError, match="3-d"):
        load_idx(tmp_path)


def test_fashion_mnist_if_present():
    data_dir = default_fashion_mnist_dir()
    if data_dir is None:
        pytest.skip("no local Fashion-MNIST")
    X_train, y_train, X_test, y_test = load_idx(data_dir)
    assert X_train.shape == (60000, 1, 28, 28) and X_train.dtype == np.uint8
    assert X_test.shape == (10000, 1, 28, 28)
    # Fashion-MNIST is balanced: 6000 / 1000 images per class.
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_default_fashion_mnist_dir_matches_disk():
    expected = "/usr/share/datasets/fashion-mnist"
    got = default_fashion_mnist_dir()
    assert got == (expected if os.path.isdir(expected) else None)


# ---------------------------------------------------------------------------
# CIFAR-10
# ---------------------------------------------------------------------------


def write_cifar(root, n_per_batch=4, bytes_keys=True):
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(1)
    expected = {}
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        data = rng.randint(0, 256, size=(n_per_batch, 3072)).astype(np.uint8)
        labels = [int(v) for v in rng.randint(0, 10, size=n_per_batch)]
        if bytes_keys:
            batch = {b"data": data, b"labels": labels, b"batch_label": b"x"}
        else:
            batch = {"data": data, "labels": labels}
        with open(root / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
        expected[name] = (data, labels)
    return expected


@pytest.mark.parametrize("bytes_keys", [True, False])
def test_load_cifar10(tmp_path, bytes_keys):
    expected = write_cifar(tmp_path, bytes_keys=bytes_keys)
    X_train, y_train, X_test, y_test = load_cifar10(tmp_path)
    assert X_train.shape == (20, 3, 32, 32) and X_train.dtype == np.uint8
    assert X_test.shape == (4, 3, 32, 32)
    assert y_train.dtype == np.int64
    data, labels = expected["data_batch_2"]
    # Row layout of CIFAR: 1024 red, then 1024 green, then 1024 blue values.
    np.testing.assert_array_equal(X_train[4:8, 1].reshape(4, -1), data[:, 1024:2048])
    np.testing.assert_array_equal(y_train[4:8], labels)
    np.testing.assert_array_equal(y_test, expected["test_batch"][1])


def test_load_cifar10_from_parent_directory(tmp_path):
    expected = write_cifar(tmp_path / "cifar-10-batches-py")
    X_train, y_train, X_test, y_test = load_cifar10(tmp_path)
    assert X_train.shape[0] == 20
    np.testing.assert_array_equal(X_test.reshape(4, -1), expected["test_batch"][0])


def test_load_cifar10_missing_batch(tmp_path):
    write_cifar(tmp_path)
    os.remove(tmp_path / "data_batch_3")
    with pytest.raises(FileNotFoundError, match="data_batch_3"):
        load_cifar10(tmp_path)


class _Sneaky:
    def __reduce__(self):
        return (os.getcwd, ())


def test_load_cifar10_refuses_foreign_pickle_objects(tmp_path):
    write_cifar(tmp_path)
    with open(tmp_path / "test_batch", "wb") as f:
        pickle.dump({b"data": _Sneaky(), b"labels": [0]}, f, protocol=2)
    with pytest.raises(ValueError, match="refusing"):
        load_cifar10(tmp_path)


def test_load_cifar10_wrong_row_length(tmp_path):
    write_cifar(tmp_path)
    with open(tmp_path / "data_batch_1", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, f)
    with pytest.raises(ValueError, match="3072"):
        load_cifar10(tmp_path)


# ---------------------------------------------------------------------------
# image folders
# ---------------------------------------------------------------------------


def test_load_image_folder(tmp_path):
    (tmp_path / "b_cat").mkdir()
    (tmp_path / "a_dog").mkdir()
    Image.new("RGB", (10, 20), (255, 0, 0)).save(tmp_path / "a_dog" / "1.png")
    Image.new("RGB", (30, 30), (0, 0, 255)).save(tmp_path / "a_dog" / "2.jpg")
    Image.new("L", (5, 5), 128).save(tmp_path / "b_cat" / "x.bmp")
    (tmp_path / "b_cat" / "notes.txt").write_text("not an image")
    (tmp_path / "stray.png").write_bytes(b"")  # files at the root are ignored

    with pytest.warns(UserWarning, match="notes.txt"):
        X, y, names = load_image_folder(tmp_path, side=8)
    assert names == ["a_dog", "b_cat"]
    assert X.shape == (3, 3, 8, 8) and X.dtype == np.uint8
    assert y.tolist() == [0, 0, 1] and y.dtype == np.int64
    # A uniform red image stays uniform red after resizing.
    assert (X[0, 0] == 255).all() and (X[0, 1] == 0).all() and (X[0, 2] == 0).all()
    # A grey image becomes three equal channels.
    assert (X[2] == 128).all()

    with pytest.warns(UserWarning):
        Xg, yg, _ = load_image_folder(tmp_path, side=4, grey=True)
    assert Xg.shape == (3, 1, 4, 4)
    # Pure red in ITU-R 601 luma: 255 * 299 / 1000 = 76.2 -> 76.
    assert (Xg[0] == 76).all()
    np.testing.assert_array_equal(yg, y)


def test_load_image_folder_empty_class_is_an_error(tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "empty").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "good" / "a.png")
    (tmp_path / "empty" / "readme.txt").write_text("nothing here")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="empty"):
        load_image_folder(tmp_path)


def test_load_image_folder_without_classes(tmp_path):
    with pytest.raises(FileNotFoundError, match="no class"):
        load_image_folder(tmp_path)
    with pytest.raises(ValueError, match="side"):
        load_image_folder(tmp_path, side=0)


def test_load_digits_images():
    X, y = load_digits_images()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float64
    assert y.dtype == np.int64 and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 16.0
    from sklearn.datasets import load_digits

    np.testing.assert_array_equal(X[:, 0], load_digits().images)


# ---------------------------------------------------------------------------
# protocols
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seed, expected",
    [
        (0, [2, 8, 4, 9, 1]),
        (5, [9, 5, 2, 4, 7]),
        (1, [2, 9, 6, 4, 0]),
        (7, [8, 5, 0, 2, 1]),
    ],
)
def test_paper_minority_classes_reproduces_paper(seed, expected):
    state = np.random.get_state()
    got = paper_minority_classes(seed)
    after = np.random.get_state()
    assert got == expected
    assert all(isinstance(c, int) for c in got)
    # The global random state is untouched.
    assert state[0] == after[0] and state[2:] == after[2:]
    np.testing.assert_array_equal(state[1], after[1])


def test_paper_minority_classes_aliyun_shape():
    got = paper_minority_classes(0, n_classes=6, n_minority=3)
    assert len(got) == 3 and len(set(got)) == 3 and all(0 <= c < 6 for c in got)
    with pytest.raises(ValueError, match="exceed"):
        paper_minority_classes(0, n_classes=3, n_minority=4)


def test_gamo_counts():
    counts = gamo_counts()
    assert counts == [4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40]
    assert counts[0] / counts[-1] == 100
    counts[0] = 1  # the caller gets a copy
    assert gamo_counts()[0] == 4000


def test_exponential_counts_hand_values():
    # 1000 * 100 ** (-i / 2) for i = 0, 1, 2.
    assert exponential_counts(1000, 100, 3) == [1000, 100, 10]
    # 5000 * 10 ** (-i / 4): 5000, 2811.7, 1581.1, 889.1, 500.
    assert exponential_counts(5000, 10, 5) == [5000, 2812, 1581, 889, 500]
    assert exponential_counts(7, 1, 3) == [7, 7, 7]
    assert exponential_counts(9, 4, 1) == [9]
    # Never below one sample.
    assert exponential_counts(10, 1000, 4)[-1] == 1
    with pytest.raises(ValueError):
        exponential_counts(10, 0.5, 3)


@settings(max_examples=60, deadline=None)
@given(
    n_max=st.integers(1, 10000),
    ratio=st.floats(1, 1000),
    k=st.integers(2, 20),
)
def test_exponential_counts_properties(n_max, ratio, k):
    counts = exponential_counts(n_max, ratio, k)
    assert len(counts) == k
    assert counts[0] == n_max
    assert counts[-1] == max(1, int(np.floor(n_max / ratio + 0.5)))
    assert all(a >= b >= 1 for a, b in zip(counts, counts[1:]))


def test_make_imbalance_split_counts_and_disjointness():
    y = np.repeat(np.arange(3), [20, 15, 10])
    state = np.random.get_state()
    train, val = make_imbalance_split(y, {0: 12, 1: 3, 2: 1}, n_val_per_class=4,
                                      random_state=0)
    assert np.array_equal(np.random.get_state()[1], state[1])
    assert np.bincount(y[train]).tolist() == [12, 3, 1]
    assert np.bincount(y[val]).tolist() == [4, 4, 4]
    assert np.intersect1d(train, val).size == 0
    assert train.dtype == np.int64 and np.all(np.diff(train) > 0)
    # Same seed, same split; different seed, different split.
    train2, val2 = make_imbalance_split(y, {0: 12, 1: 3, 2: 1}, 4, random_state=0)
    np.testing.assert_array_equal(train, train2)
    np.testing.assert_array_equal(val, val2)
    train3, _ = make_imbalance_split(y, {0: 12, 1: 3, 2: 1}, 4, random_state=1)
    assert not np.array_equal(train, train3)


def test_make_imbalance_split_sequence_counts_and_no_val():
    y = np.array([1, 0, 1, 0, 1, 0, 2, 2])
    train, val = make_imbalance_split(y, [2, 3, 1], random_state=3)
    assert val.size == 0
    assert np.bincount(y[train]).tolist() == [2, 3, 1]
    # Class 1 gives all its samples: indices 0, 2, 4.
    assert set(train[y[train] == 1]) == {0, 2, 4}


def test_make_imbalance_split_errors():
    y = np.repeat([0, 1], [5, 3])
    with pytest.raises(ValueError, match=r"class 1 has 3 samples but 4 are asked"):
        make_imbalance_split(y, {0: 2, 1: 2}, n_val_per_class=2, random_state=0)
    with pytest.raises(ValueError, match="no training count"):
        make_imbalance_split(y, {0: 2}, random_state=0)
    with pytest.raises(ValueError, match="class 2 has 0 samples"):
        make_imbalance_split(y, [1, 1, 1], random_state=0)


def test_make_imbalance_split_none_seed_leaves_global_state():
    y = np.repeat([0, 1], 10)
    state = np.random.get_state()
    make_imbalance_split(y, [3, 3], 2)
    np.testing.assert_array_equal(np.random.get_state()[1], state[1])
    assert np.random.get_state()[2] == state[2]


def test_paper_counts_mnist_and_cifar():
    counts = paper_counts(range(10), seed=0)
    assert sorted(c for c, n in counts.items() if n == 50) == [1, 2, 4, 8, 9]
    assert sorted(c for c, n in counts.items() if n == 5000) == [0, 3, 5, 6, 7]
    cifar = paper_counts(np.arange(10), seed=7, minority_count=45,
                         majority_count=4500)
    assert sorted(c for c, n in cifar.items() if n == 45) == [0, 1, 2, 5, 8]
    assert sum(cifar.values()) == 5 * 45 + 5 * 4500
    # A label vector works as well as the list of classes.
    y = np.repeat(np.arange(10), 3)
    assert paper_counts(y, seed=5) == paper_counts(range(10), seed=5)


def test_paper_protocol_end_to_end():
    # The MNIST protocol at a small scale: 2 / 20 training, 4 validation per class.
    y = np.repeat(np.arange(10), 30)
    counts = paper_counts(np.unique(y), seed=5, minority_count=2, majority_count=20)
    train, val = make_imbalance_split(y, counts, n_val_per_class=4, random_state=5)
    per_class = np.bincount(y[train], minlength=10)
    assert sorted(np.flatnonzero(per_class == 2).tolist()) == [2, 4, 5, 7, 9]
    assert np.bincount(y[val]).tolist() == [4] * 10


@pytest.mark.parametrize("module", ["imblearn_meda.datasets", "imblearn_meda.metrics",
                                    "imblearn_meda"])
def test_light_imports_do_not_import_torch(module):
    import subprocess

    # A fresh interpreter, importing through the package as a user does.
    code = f"import sys, {module}\nprint('torch' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.strip() == "False"


def test_a_sampler_import_does_import_torch():
    import subprocess

    code = "import sys\nfrom imblearn_meda import MEDALUDESampler\nprint('torch' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.strip() == "True"
