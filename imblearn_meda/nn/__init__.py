"""Network builders and the one training loop the samplers share."""

from ._networks import (
    ConvDecoder,
    ConvEncoder,
    ConvImageClassifier,
    build_networks,
    mlp,
)
from ._training import (
    History,
    StageClock,
    auto_epochs,
    progress,
    shuffled_batches,
    train_epochs,
)

__all__ = [
    "ConvDecoder",
    "ConvEncoder",
    "ConvImageClassifier",
    "History",
    "StageClock",
    "auto_epochs",
    "build_networks",
    "mlp",
    "progress",
    "shuffled_batches",
    "train_epochs",
]
