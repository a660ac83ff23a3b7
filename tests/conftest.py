"""Shared test set-up: the repository on sys.path, one torch thread (as the app and workers use)."""

import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
torch.set_num_threads(1)


def plotly_values(array) -> list:
    """Plotly 7 sends numeric arrays as {"bdata": base64, "dtype": ...}: decode them to a list."""
    import base64

    import numpy as np

    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array) if array is not None else []
