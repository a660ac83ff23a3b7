"""Helpers for the AppTest page tests."""


def plotly_values(array) -> list:
    """Plotly 7 sends numeric arrays as {"bdata": base64, "dtype": ...}: decode them to a list."""
    import base64

    import numpy as np

    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array) if array is not None else []
