"""imbalanced-learn's and scikit-learn's estimator checks on the deep samplers.

Every check passes, or is listed below with the reason it fails.
AugmentedOverSampler is left out: it shifts images and refuses the tabular
data (a few features) that the checks fit; its contract is checked in
test_contract.py.
"""

import pytest
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

from conftest import DEEP, TINY, tiny_sampler

#: One instance of each deep sampler class (DeepSMOTESampler's synthesis
#: variants share every check).
ESTIMATORS = [tiny_sampler(name, random_state=0) for name in DEEP
              if name != "DeepSMOTE-residual"]

#: imbalanced-learn checks that fail, and why.
IMBLEARN_EXPECTED_FAILURES = {
    "check_samplers_pandas_sparse": (
        "limitation: the networks take dense tensors (images); sparse X is "
        "rejected with a TypeError and the sklearn tag input_tags.sparse is False"
    ),
}

# Two-epoch models may not pass their own filter (documented warning).
pytestmark = pytest.mark.filterwarnings(
    "ignore::imblearn_meda.exceptions.SynthesisWarning"
)


@imblearn_parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda estimator: IMBLEARN_EXPECTED_FAILURES
)
def test_imblearn_checks(estimator, check):
    check(estimator)


@sklearn_parametrize_with_checks(ESTIMATORS, xfail_strict=True)
def test_sklearn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", list(TINY))
def test_tags_say_dense_and_finite(name):
    tags = tiny_sampler(name).__sklearn_tags__()
    assert tags.input_tags.sparse is False
    assert tags.input_tags.allow_nan is False
