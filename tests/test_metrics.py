"""Tests of imblearn_meda.metrics against numbers worked out by hand."""

import math

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import roc_auc_score

from imblearn_meda.metrics import imbalanced_scores, ovr_auc

KEYS = {"accuracy", "precision", "recall", "specificity", "f1", "gmean", "auc"}

# Three classes, three test samples each.
#   true 0: predicted 0, 0, 1
#   true 1: predicted 1, 1, 1
#   true 2: predicted 2, 0, 2
# Confusion (rows true, columns predicted):
#   [[2, 1, 0],
#    [0, 3, 0],
#    [1, 0, 2]]
Y_TRUE = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
Y_PRED = np.array([0, 0, 1, 1, 1, 1, 2, 0, 2])


def test_hand_computed_three_class_confusion():
    s = imbalanced_scores(Y_TRUE, Y_PRED)
    assert set(s) == KEYS
    # 7 of 9 right.
    assert s["accuracy"] == pytest.approx(7 / 9)
    # Recall per class 2/3, 3/3, 2/3.
    assert s["recall"] == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
    # Precision per class: column sums 3, 4, 2 -> 2/3, 3/4, 2/2.
    assert s["precision"] == pytest.approx((2 / 3 + 3 / 4 + 1) / 3)
    # Specificity: 6 negatives each; false positives 1, 1, 0.
    assert s["specificity"] == pytest.approx((5 / 6 + 5 / 6 + 1) / 3)
    # F1 per class: 2/3, 2*(3/4)/(7/4) = 6/7, 2*(2/3)/(5/3) = 4/5.
    assert s["f1"] == pytest.approx((2 / 3 + 6 / 7 + 4 / 5) / 3)
    # G-mean: mean of sqrt(recall * specificity) per class.
    expected_gmean = (
        math.sqrt(2 / 3 * 5 / 6) + math.sqrt(1 * 5 / 6) + math.sqrt(2 / 3 * 1)
    ) / 3
    assert s["gmean"] == pytest.approx(expected_gmean)
    assert math.isnan(s["auc"])
    assert all(isinstance(v, float) for v in s.values())


def test_gmean_is_mean_of_per_class_not_imblearn_macro():
    # imbalanced-learn's own docstring example.
    y_true = [0, 1, 2, 0, 1, 2]
    y_pred = [0, 2, 1, 0, 0, 1]
    s = imbalanced_scores(y_true, y_pred)
    # Class 0: recall 1, specificity 3/4 -> sqrt(3)/2; classes 1, 2: recall 0.
    assert s["gmean"] == pytest.approx(math.sqrt(3) / 2 / 3)
    # imbalanced-learn's "macro" is sqrt(mean recall * mean specificity).
    imblearn_macro = geometric_mean_score(y_true, y_pred, average="macro")
    mean_recall, mean_specificity = 1 / 3, (3 / 4 + 1 / 2 + 3 / 4) / 3
    assert imblearn_macro == pytest.approx(math.sqrt(mean_recall * mean_specificity))
    assert s["gmean"] != pytest.approx(imblearn_macro)


def test_auc_hand_computed():
    # One sample per class, so each one-vs-rest AUC compares one positive
    # with two negatives.
    y_true = [0, 1, 2]
    y_score = [[0.6, 0.3, 0.1], [0.5, 0.2, 0.3], [0.2, 0.5, 0.3]]
    # class 0: 0.6 beats 0.5 and 0.2 -> 1
    # class 1: 0.2 loses to 0.3 and 0.5 -> 0
    # class 2: 0.3 beats 0.1, ties 0.3 -> 0.75
    s = imbalanced_scores(y_true, [0, 2, 1], y_score=y_score)
    assert s["auc"] == pytest.approx((1 + 0 + 0.75) / 3)


def test_auc_matches_sklearn_ovr_macro():
    rng = np.random.RandomState(0)
    y_true = np.repeat(np.arange(4), 25)
    logits = rng.randn(100, 4) + 1.5 * np.eye(4)[y_true]
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    y_pred = proba.argmax(1)
    s = imbalanced_scores(y_true, y_pred, y_score=proba)
    ref = roc_auc_score(y_true, proba, multi_class="ovr", average="macro")
    assert s["auc"] == pytest.approx(ref)
    assert 0.5 < s["auc"] < 1


def test_balanced_test_set_accuracy_equals_recall():
    rng = np.random.RandomState(1)
    y_true = np.repeat(np.arange(5), 20)
    y_pred = np.where(rng.rand(100) < 0.7, y_true, rng.randint(0, 5, 100))
    s = imbalanced_scores(y_true, y_pred)
    assert s["accuracy"] == pytest.approx(s["recall"])


def test_imbalanced_test_set_accuracy_differs_from_recall():
    # 8 of class 0 all right, 2 of class 1 all wrong.
    y_true = [0] * 8 + [1] * 2
    y_pred = [0] * 10
    s = imbalanced_scores(y_true, y_pred)
    assert s["accuracy"] == pytest.approx(0.8)
    assert s["recall"] == pytest.approx(0.5)
    # Class 1 is never predicted: its precision counts as 0.
    assert s["precision"] == pytest.approx((0.8 + 0) / 2)
    # Specificity: class 0 has 2 negatives, both predicted 0 -> 0; class 1 -> 1.
    assert s["specificity"] == pytest.approx(0.5)
    assert s["gmean"] == pytest.approx(0.0)


def test_perfect_prediction():
    y = [2, 0, 1, 1, 0, 2]
    proba = np.eye(3)[y]
    s = imbalanced_scores(y, y, y_score=proba)
    for key in KEYS:
        assert s[key] == pytest.approx(1.0), key


def test_labels_and_score_columns():
    # The classifier knows 3 classes, but class 2 never occurs in this test.
    y_true = [0, 0, 1, 1]
    y_pred = [0, 1, 1, 1]
    y_score = [[0.9, 0.1, 0.0], [0.4, 0.5, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1]]
    s = imbalanced_scores(y_true, y_pred, y_score=y_score)
    # Averages run over 3 classes; class 2 has recall 0 and specificity 1.
    assert s["recall"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert s["specificity"] == pytest.approx((1 + 1 / 2 + 1) / 3)
    # AUC over the classes present: class 0 and class 1 are both separated.
    assert s["auc"] == pytest.approx(1.0)
    # Explicit labels restrict the averages to those classes.
    s2 = imbalanced_scores(y_true, y_pred, labels=[0, 1])
    assert s2["recall"] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="columns"):
        imbalanced_scores(y_true, y_pred, y_score=y_score, labels=[0, 1])


def test_string_labels_and_binary_1d_scores():
    y_true = ["cat", "cat", "dog", "dog"]
    y_pred = ["cat", "dog", "dog", "dog"]
    score_dog = [0.1, 0.6, 0.4, 0.9]
    s = imbalanced_scores(y_true, y_pred)
    assert s["accuracy"] == pytest.approx(0.75)
    # Dogs 0.4 and 0.9 against cats 0.1 and 0.6: 3 of 4 pairs ordered right.
    assert ovr_auc(y_true, score_dog, ["cat", "dog"]) == pytest.approx(0.75)


def test_input_errors():
    with pytest.raises(ValueError, match="same length"):
        imbalanced_scores([0, 1], [0])
    with pytest.raises(ValueError, match="empty"):
        imbalanced_scores([], [])
