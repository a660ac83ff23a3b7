"""Training: config, loop, checkpoints and the background job manager (see the README, "Training")."""

from core.training.config import TrainConfig
from core.training.loop import train

__all__ = ["TrainConfig", "train"]
