"""Training: config, loop, checkpoints and the background job manager (see DESIGN.md "Training runs")."""

from core.training.config import TrainConfig
from core.training.loop import train

__all__ = ["TrainConfig", "train"]
