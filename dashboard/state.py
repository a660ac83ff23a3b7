"""The current signal, shared between pages (Signal Lab sets it; DFT Explorer and the Arena read it).

A synthetic signal is kept as its components, not as samples, so any page can extend it past what it
analysed and compare with the true continuation. A real series is kept as its samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st
import torch

from core.signals import SignalSpec, generate, signal_from_rows

KEY = "harmonics_lab_signal"


@dataclass(frozen=True)
class CurrentSignal:
    label: str
    length: int  # samples shown in the Signal Lab
    rows: tuple = ()  # synthetic: the components, as tuples (period, amplitude, phase, modulation, apex)
    trend: float = 0.0
    noise: float = 0.0
    noise_seed: int = 0
    real: tuple = field(default=())  # real series: the samples
    dates: tuple = field(default=())  # real series: a label per sample (year, month), when known

    @property
    def synthetic(self) -> bool:
        return not self.real

    def row_dicts(self) -> list[dict]:
        keys = ("period", "amplitude", "phase", "modulation", "apex")
        return [dict(zip(keys, r)) for r in self.rows]

    def samples(self, length: int | None = None) -> np.ndarray:
        """The first ``length`` samples (synthetic signals extend past ``self.length`` with their truth)."""
        length = self.length if length is None else int(length)
        if self.real:
            return np.asarray(self.real[:length], dtype=np.float64)
        return signal_samples(self.rows, length, self.trend, self.noise, self.noise_seed, self.length)


@st.cache_data(max_entries=64, show_spinner=False)
def signal_samples(rows: tuple, length: int, trend: float, noise: float, noise_seed: int, span: int) -> np.ndarray:
    keys = ("period", "amplitude", "phase", "modulation", "apex")
    return signal_from_rows([dict(zip(keys, r)) for r in rows], length, trend, noise, noise_seed, span)


def rows_to_tuple(rows: list[dict]) -> tuple:
    return tuple(
        (
            float(r["period"]),
            float(r["amplitude"]),
            float(r["phase"]),
            float(r.get("modulation", 1.0)),
            float(r.get("apex", 0.5)),
        )
        for r in rows
    )


def random_signal(spec: SignalSpec, seed: int, label: str | None = None) -> CurrentSignal:
    """Draw one signal of ``spec`` and keep its components."""
    _, comps = generate(spec, 1, seed=seed, dtype=torch.float64, return_components=True)
    return CurrentSignal(
        label=label or f"random: {spec.components[0]}..{spec.components[1]} components, seed {seed}",
        length=spec.length,
        rows=rows_to_tuple(comps.rows(0)),
        trend=float(comps.trend[0]),
        noise=spec.noise,
        noise_seed=seed,
    )


def default_signal() -> CurrentSignal:
    return random_signal(SignalSpec(length=200), seed=0, label="random study signal (seed 0)")


def current() -> CurrentSignal:
    if KEY not in st.session_state:
        st.session_state[KEY] = default_signal()
    return st.session_state[KEY]


def set_current(signal: CurrentSignal) -> None:
    st.session_state[KEY] = signal
