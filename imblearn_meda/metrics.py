"""Scores for imbalanced multi-class classification.

:func:`imbalanced_scores` returns the seven numbers the benchmarks report:
accuracy and the macro (class-averaged) precision, recall, specificity, F1,
G-mean and one-vs-rest ROC AUC.  Every value is a fraction in [0, 1].

This module does not import torch.
"""

from __future__ import annotations

import numpy as np
from imblearn.metrics import sensitivity_specificity_support
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.utils.multiclass import unique_labels

__all__ = ["imbalanced_scores", "ovr_auc"]


def _resolve_labels(y_true, y_pred, y_score, labels):
    if labels is not None:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.size == 0:
            raise ValueError("labels must be a non-empty 1-d sequence")
        if np.unique(labels).size != labels.size:
            raise ValueError("labels must not repeat")
        return labels
    found = unique_labels(y_true, y_pred)
    if y_score is None or y_score.ndim == 1:
        return found
    n_cols = y_score.shape[1]
    if found.size == n_cols:
        return found
    # Fewer classes seen than score columns: the columns are taken to be the
    # integer classes 0 .. K-1, as for a classifier fitted on such labels.
    if (
        np.issubdtype(found.dtype, np.integer)
        and found.min() >= 0
        and found.max() < n_cols
    ):
        return np.arange(n_cols)
    raise ValueError(
        f"y_score has {n_cols} columns but y_true and y_pred hold "
        f"{found.size} classes; pass labels= in the order of the columns"
    )


def ovr_auc(y_true, y_score, labels):
    """Macro one-vs-rest ROC AUC.

    For each class ``labels[k]``, the binary AUC of "this class against the
    rest" is computed from column ``k`` of ``y_score``; the result is their
    mean.  When every class occurs in ``y_true`` and the rows of ``y_score``
    sum to one, this equals ``roc_auc_score(y_true, y_score,
    multi_class="ovr", average="macro", labels=labels)``.  Unlike that call it
    also accepts scores that are not probabilities, and it leaves out classes
    that are absent from ``y_true`` (their AUC is undefined).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples, n_classes) or (n_samples,)
        Score of each class, columns in the order of ``labels``.  A 1-d array
        is allowed for two classes and is the score of ``labels[1]``.
    labels : array-like of shape (n_classes,)

    Returns
    -------
    auc : float
        NaN when no class has both positive and negative samples.
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    labels = np.asarray(labels)
    if y_score.ndim == 1:
        if labels.size != 2:
            raise ValueError("a 1-d y_score is only allowed with two classes")
        y_score = np.column_stack([-y_score, y_score])
    if y_score.ndim != 2 or y_score.shape[0] != y_true.shape[0]:
        raise ValueError(
            f"y_score should have shape ({y_true.shape[0]}, {labels.size}), "
            f"got {y_score.shape}"
        )
    if y_score.shape[1] != labels.size:
        raise ValueError(
            f"y_score has {y_score.shape[1]} columns for {labels.size} labels"
        )
    aucs = []
    for k, cls in enumerate(labels):
        positive = y_true == cls
        if positive.all() or not positive.any():
            continue
        aucs.append(roc_auc_score(positive, y_score[:, k]))
    return float(np.mean(aucs)) if aucs else float("nan")


def imbalanced_scores(y_true, y_pred, y_score=None, labels=None):
    """Accuracy and macro scores of a multi-class prediction.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    y_score : array-like of shape (n_samples, n_classes), default=None
        Class probabilities (e.g. ``predict_proba``), columns in the order of
        ``labels``.  Only used for ``auc``.
    labels : array-like, default=None
        Classes to average over, in the order of the ``y_score`` columns.  By
        default the sorted classes found in ``y_true`` and ``y_pred``; when
        ``y_score`` has more columns than that and the classes are integers
        below the column count, ``0 .. n_classes - 1``.

    Returns
    -------
    scores : dict of str to float
        All values are fractions in [0, 1]:

        ``accuracy``
            Plain :func:`sklearn.metrics.accuracy_score`.  On a test set with
            the same number of samples per class (as in the MEDA_LUDE paper)
            it equals ``recall``.
        ``precision``, ``recall``, ``f1``
            Macro averages from scikit-learn, ``zero_division=0``.  ``recall``
            is the balanced accuracy.
        ``specificity``
            Mean over classes of TN / (TN + FP), from imbalanced-learn's
            per-class specificity.
        ``gmean``
            Mean over classes of ``sqrt(recall_c * specificity_c)``.  This is
            not imbalanced-learn's ``geometric_mean_score(average="macro")``,
            which is ``sqrt(mean recall * mean specificity)``.
        ``auc``
            Macro one-vs-rest ROC AUC (see :func:`ovr_auc`); NaN when
            ``y_score`` is None.

    Examples
    --------
    >>> s = imbalanced_scores([0, 0, 1, 1], [0, 1, 1, 1])
    >>> s["accuracy"], s["recall"], s["specificity"]
    (0.75, 0.75, 0.75)
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-d of the same length, got shapes "
            f"{y_true.shape} and {y_pred.shape}"
        )
    if y_true.size == 0:
        raise ValueError("y_true is empty")
    if y_score is not None:
        y_score = np.asarray(y_score, dtype=np.float64)
    labels = _resolve_labels(y_true, y_pred, y_score, labels)

    sensitivity, specificity, _ = sensitivity_specificity_support(
        y_true, y_pred, labels=labels, average=None, warn_for=()
    )
    sensitivity = np.asarray(sensitivity, dtype=np.float64)
    specificity = np.asarray(specificity, dtype=np.float64)

    macro = dict(labels=labels, average="macro", zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision": float(precision_score(y_true, y_pred, **macro)),
        "recall": float(recall_score(y_true, y_pred, **macro)),
        "specificity": float(np.mean(specificity)),
        "f1": float(f1_score(y_true, y_pred, **macro)),
        "gmean": float(np.mean(np.sqrt(sensitivity * specificity))),
        "auc": float("nan") if y_score is None else ovr_auc(y_true, y_score, labels),
    }
