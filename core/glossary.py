"""Every term the app uses, in plain words: shown as tooltips next to controls and on the Glossary page.

Written for a student who knows a little calculus and has never met the DFT. One entry per term; pages
call ``define(term)`` so that a definition lives in one place.
"""

from __future__ import annotations

TERMS: dict[str, str] = {
    "sample": "One measured value of a signal. Here samples are one time step apart (sample rate 1).",
    "window": "The stretch of N consecutive samples the DFT (or a forecaster) looks at.",
    "lookback": "The samples a forecaster is given: the recent past it forecasts from (100 by default).",
    "horizon": "How many samples ahead a forecaster predicts.",
    "period": "How many samples one cycle of a repeating wave takes. Frequency = 1 / period.",
    "harmonic": "One cosine wave in a sum of waves; a signal here is a sum of a few harmonics.",
    "DFT": "Discrete Fourier Transform: rewrites N samples exactly as a sum of cosines whose periods are N, "
    "N/2, N/3, ... down to 2, plus a constant: N/2 + 1 distinct ones for even N, (N+1)/2 for odd N.",
    "X_k": "The DFT's number for bin k: a complex number whose size |X_k| says how much of that cosine the "
    "window holds and whose angle is its phase. |X_k|/N, doubled except at DC and Nyquist, is the amplitude.",
    "spectrum": "A plot of how much of each frequency (or period) a window holds: the DFT's amplitudes, bin by bin.",
    "frequency": "Cycles per sample: 1 / period. Frequency 0.05 is one cycle every 20 samples; 0.5 (period 2) is "
    "the fastest a sampled signal can show.",
    "radian": "The unit of angle used here: a full turn is 2π radians (about 6.28), half a turn π.",
    "complex number": "A point a + ib of a plane (real part a across, imaginary part b up). Its distance from 0 "
    "is its size; its angle from the real axis is its phase.",
    "bin": "One of the DFT's cosines: bin k has frequency k/N (k whole cycles in the window), period N/k.",
    "DC": "Bin 0: the constant part of the window (its mean). 'Direct current', from electrical engineering.",
    "Nyquist": "The fastest wave N samples can show, period 2 (up, down, up, ...): bin N/2 when N is even.",
    "amplitude": "The height of a wave from its middle to its peak.",
    "phase": "Where in its cycle a wave starts at t = 0, as an angle (0 to 2π).",
    "periodic extension": "What the DFT's cosines do after the window: every one of them repeats with period "
    "N, so their sum starts the window over again.",
    "seam": "The jump where the repeated window's end meets its start. No jump only if every period fits N a "
    "whole number of times.",
    "leakage": "A wave whose period does not fit the window a whole number of times lands between bins, and "
    "its energy spreads (leaks) over many bins instead of one.",
    "taper": "Multiplying the window by a curve that fades to zero at both ends (Hamming, Hann, ...) so the "
    "seam matters less. Also called a window function.",
    "main lobe": "The peak a single wave makes in the spectrum. A taper makes it wider (blurrier).",
    "sidelobe": "The smaller ripples either side of the main lobe: leakage far from the wave's frequency. A "
    "taper makes them much lower.",
    "dB": "Decibels: 20·log10 of an amplitude ratio. -20 dB is 1/10, -40 dB is 1/100, -60 dB is 1/1000.",
    "ENBW": "Equivalent noise bandwidth: how many bins' worth of noise a taper lets into one bin (1 for no "
    "taper; more means each bin collects more noise).",
    "scalloping": "How much lower a wave reads when its frequency falls half-way between two bins (the worst "
    "case), in dB.",
    "zero-padding": "Adding zeros after the window before the DFT: draws the same spectrum at finer spacing. "
    "It adds no information.",
    "forecast": "A prediction of the samples after the lookback, made without seeing them.",
    "repeat last value": "The simplest forecast: the future equals the last value seen. Every method must "
    "beat it to be worth anything.",
    "MSE": "Mean squared error: the average of (forecast - truth)², over signals and horizon steps.",
    "float32": "Numbers stored with about 7 significant digits (float64: about 16). The suites feed models "
    "float32, so even an exact method shows errors near 1e-7 rather than 0.",
    "MAE": "Mean absolute error: the average of |forecast - truth|. Unlike the MSE it does not square, so big "
    "misses count less.",
    "linear prediction": "Predicting each sample as a fixed weighted sum of the samples just before it, "
    "x[t] = a1·x[t-1] + a2·x[t-2] + ..., with the weights fitted on the lookback.",
    "recurrence": "A rule that gives each value from the previous ones; run forward, it forecasts. One sine "
    "obeys x[t+1] = 2cos(ω)·x[t] - x[t-1]; K sines need 2K previous values.",
    "pole": "A number p that a recurrence's rule can repeat as p, p², p³, ...: on the unit circle at angle θ "
    "it is a steady wave of period 2π/θ, inside it fades, outside it grows without bound.",
    "unit circle": "The points at distance 1 from 0 in the complex plane: where a pole makes a steady wave.",
    "sinusoid fit": "Finding the few sines (any frequency, amplitude, phase, decay) that make up a window; "
    "ESPRIT does it with linear algebra, off the DFT's grid of periods N/k.",
    "teacher forcing": "Training a next-step model by giving it the TRUE previous value at every step. Easy "
    "to train, but a real forecast has no true values to lean on.",
    "autoregressive": "Forecasting by feeding a model its own previous outputs, one step after another: the "
    "honest way, where errors can pile up.",
    "seq2seq": "Sequence to sequence: one network (the encoder) reads the lookback, another (the decoder) "
    "writes the whole horizon.",
    "LSTM": "Long short-term memory: a recurrent network that reads a sequence one value at a time, keeping "
    "a memory state.",
    "GRU": "Gated recurrent unit: a simpler cousin of the LSTM.",
    "glitch": "One sample that a bad reading put far from its neighbours, further than the rest of the "
    "series ranges. An exact fit takes it for part of the signal and echoes it into the forecast.",
    "level shift": "A jump of a whole series to a new level that it then keeps, as when a sensor is "
    "recalibrated: every sample after it is moved by the same amount.",
    "noise": "Random wiggles added to a signal; here Gaussian (bell-curve) with the given standard deviation.",
    "standard deviation": "std: the typical size of random wiggles, the square root of their mean square. "
    "Noise of std 0.05 moves samples by about 0.05, rarely more than 0.15.",
    "seed": "The number that starts the random number generator: the same seed draws the same signal again, "
    "a new seed a new one.",
    "trend": "A steady rise (or fall) added under the waves. It never repeats, so no sum of cosines continues it.",
    "amplitude modulation": "An amplitude that changes over time: here each wave swells (or fades) by a factor r "
    "and back again within the signal.",
    "random walk": "A signal that moves by a small random step each sample and never comes back on purpose, "
    "like a drifting price.",
    "least squares": "Choosing the numbers of a model so that the sum of its squared errors on the data is as "
    "small as possible.",
    "order": "How many past values a recurrence's rule uses: x[t] from x[t-1] .. x[t-order].",
    "MDL": "Minimum description length: a rule for choosing how many parts of a fit to keep, trading how well "
    "it fits against how much it takes to describe. Here it keeps what stands above the noise.",
    "ESPRIT": "A sinusoid fit: linear algebra on the window that gives each wave's frequency and decay directly, "
    "with no grid of bins.",
    "MLP": "Multi-layer perceptron: a plain fully connected network, every input weighed into every unit.",
    "FFT": "Fast Fourier transform: the quick way to compute the DFT. 'FFT features' are a window's DFT amplitudes "
    "and phases given to a network.",
    "FFT-GRU": "The network this app ships as its main forecaster: an MLP reads the lookback, its DFT and a "
    "quick linear-prediction forecast; a GRU decoder writes the horizon, fed its own outputs in training too.",
    "encoder": "The part of a network that reads the input and squeezes it into a few numbers (a state or a code).",
    "decoder": "The part of a network that writes the output (a forecast, or the rebuilt input) from the "
    "encoder's numbers.",
    "suite": "A fixed set of test signals of one kind (clean, noisy, real, ...) every model is scored on.",
    "validation": "Scoring a model on signals kept aside that it never trains on: the honest measure of how it "
    "does on new data.",
    "step": "One update of a network's weights during training, from one batch.",
    "batch": "The group of examples a network sees in one training step.",
    "learning rate": "How big a change each training step makes to the weights. Too big: training jumps about; "
    "too small: it crawls.",
    "curriculum": "Training on easy examples first (few components) and harder ones later.",
    "checkpoint": "A saved copy of a model's weights during training, so a run can be stopped, resumed or used.",
    "convolution": "Sliding a small set of weights over an image (or a sequence) and summing what it covers: each "
    "output sees only a small neighbourhood, the same weights everywhere.",
    "CNN": "Convolutional neural network: layers of convolutions.",
    "optical flow": "An estimate of how each patch of an image moved between two frames, used to push the last "
    "frame one step further.",
    "centroid": "The centre of brightness of an image: the brightness-weighted mean of the pixel positions.",
    "code": "A short list of numbers from which a signal is rebuilt (the k numbers an encoder keeps).",
    "DFT top-k": "A code that keeps the k largest of the window's real DFT numbers (a bin's cosine and sine "
    "parts count one each) and zeroes the rest; it must also remember which ones it kept.",
    "low-pass": "A code that keeps the first k real DFT numbers, the slowest bins, whatever their size, and drops "
    "the rest: nothing to remember about which were kept.",
    "specialist": "A network trained on one narrow kind of signal (here: clean, whole periods 10-99 only).",
    "ConvLSTM": "An LSTM for images: its gates are small convolutions, so each cell of its memory is a pixel "
    "that sees only its neighbours. Good at things that move a little per frame.",
    "SSIM": "Structural similarity: compares two images by local brightness, contrast and structure, 1 for "
    "identical; closer to what an eye sees than the mean squared error.",
    "DOF": "Degrees of freedom: how many numbers of a law are free (drawn at random) rather than fixed.",
    "physics fit": "Find the object in each frame, fit the few numbers of its law of motion by least squares, "
    "and extrapolate: the frames' counterpart of linear prediction.",
    "autoencoder": "A network trained to give back its input through a narrow middle of k numbers: the encoder "
    "squeezes, the decoder rebuilds. The k numbers are its learned code.",
    "PCA": "Principal component analysis: the k directions along which a set of windows varies most; keeping "
    "those k coordinates is the best linear code of k numbers for that set.",
    "epicycles": "Circles turning on circles. The DFT of a closed drawing x + iy is a chain of such circles, "
    "each turning a whole number of times; together they trace the drawing.",
}


def define(term: str) -> str:
    """The plain-words definition of ``term`` (ValueError for a term the glossary lacks: add it there)."""
    for key, text in TERMS.items():
        if key.lower() == term.lower():
            return text
    raise ValueError(f"the glossary has no entry {term!r}")
