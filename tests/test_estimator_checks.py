"""imbalanced-learn's and scikit-learn's estimator checks on the samplers.

Every check passes, or is listed below with the reason it fails.
"""

import warnings

import pytest
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

from imblearn_meda.exceptions import SynthesisWarning
from imblearn_meda import CVAESampler, MEDALUDESampler

from conftest import FAST

ESTIMATORS = [
    MEDALUDESampler(random_state=0, **FAST),
    CVAESampler(epochs=2, latent_dim=4, batch_size=64, random_state=0, device="cpu"),
]

#: imbalanced-learn checks that fail, and why.
IMBLEARN_EXPECTED_FAILURES = {
    "check_samplers_pandas_sparse": (
        "limitation: the networks take dense tensors (images); sparse X is "
        "rejected with a TypeError and the sklearn tag input_tags.sparse is False"
    ),
}

#: scikit-learn checks that fail, and why.
SKLEARN_EXPECTED_FAILURES: dict = {}


def _imblearn_expected(estimator):
    return IMBLEARN_EXPECTED_FAILURES


def _sklearn_expected(estimator):
    return SKLEARN_EXPECTED_FAILURES


def _run(check, estimator):
    with warnings.catch_warnings():
        # Two-epoch models may not pass their own filter (documented warning).
        warnings.simplefilter("ignore", SynthesisWarning)
        check(estimator)


@imblearn_parametrize_with_checks(ESTIMATORS, expected_failed_checks=_imblearn_expected)
def test_imblearn_checks(estimator, check):
    _run(check, estimator)


@sklearn_parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=_sklearn_expected, xfail_strict=True
)
def test_sklearn_checks(estimator, check):
    _run(check, estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_tags_say_dense_and_finite(estimator):
    tags = estimator.__sklearn_tags__()
    assert tags.input_tags.sparse is False
    assert tags.input_tags.allow_nan is False
