"""The "Try this" experiments of every page: deep links that carry all the state they need."""

from __future__ import annotations

from dashboard.sections import Experiment

LAB = "views/signal_lab.py"
DFT = "views/dft_explorer.py"
ARENA = "views/arena.py"
TRAINING = "views/training.py"

DFT_EXPERIMENTS = [
    Experiment(
        "Period 20 in a window of 100",
        DFT,
        {"dft_example": "One sine, period 20", "dft_n": "100", "dft_window": "rectangular"},
        "How many bins hold energy, and how big is the error of the periodic extension?",
        "One bin (k = 5: five whole cycles) and an error of ~0: the copy of the window *is* the future.",
    ),
    Experiment(
        "The same sine in a window of 110",
        DFT,
        {"dft_example": "One sine, period 20", "dft_n": "110", "dft_window": "rectangular"},
        "Where did the energy go, and what happens at the seam?",
        "5.5 cycles fit: the energy leaks over many bins (the biggest at periods 22 and 18.3, neither is 20) "
        "and the copy jumps half a wave out of step at the seam: worse than repeating the last value.",
    ),
    Experiment(
        "A Hamming taper at N = 110, log amplitude",
        DFT,
        {"dft_example": "One sine, period 20", "dft_n": "110", "dft_window": "hamming"},
        "Tick 'Log amplitude'. What happens to the bins far from period 20, and to the peak? Is the forecast better?",
        "The bins far from period 20 drop: the highest sidelobe from -13 to -43 dB (30 dB: 1/30 the "
        "amplitude, see 'Windows compared'), and the energy more than 3 bins away from 7% to 0.08% ('Far-off "
        "leakage'). The peak gets wider (2 to 4 bins); the periodic extension still jumps at the seam, its "
        "error no better (2.3 against 2). A taper sharpens the spectrum; it does not make a forecaster.",
    ),
    Experiment(
        "A window of 660 samples",
        DFT,
        {"dft_example": "One sine, period 20", "dft_long": "true", "dft_n": "660"},
        "660 = 33 x 20. What does the spectrum look like now?",
        "One clean bin again: any N that is a multiple of the period works. Leakage is about the window, "
        "not the wave: the sinusoid fit below finds period 20 for every N.",
    ),
]

ARENA_EXPERIMENTS = [
    Experiment(
        "A clean random signal",
        ARENA,
        {
            "arena_source": "Random",
            "arena_seed": "3",
            "arena_horizon": "10",
            "arena_lstm_view": "autoregressive (honest)",
        },
        "Which forecaster is on the truth, and where are its poles?",
        "Linear prediction (error about 3e-12, billions of times below repeating the last value's 0.018): a "
        "clean sum of K waves obeys an exact rule of 2K terms, and the poles that carry the waves sit on the "
        "unit circle at their frequencies. The DFT's copy jumps at the seam.",
    ),
    Experiment(
        "Teacher forcing versus the honest forecast",
        ARENA,
        {
            "arena_source": "Random",
            "arena_seed": "4",
            "arena_horizon": "40",
            "arena_lstm_view": "teacher-forced (fed the truth)",
        },
        "The LSTM and seq2seq look good. Switch 'LSTM and seq2seq shown' to autoregressive: what changes?",
        "Fed the truth at every step they only ever make one-step errors (LSTM 9.8e-05, seq2seq 0.002 over "
        "the 40 steps); fed their own outputs, errors pile up, most past the 10 steps they were trained for "
        "(LSTM 0.019, seq2seq 0.30). The LSTM was also trained on its own outputs over 10 steps and holds on "
        "about as long as the FFT-GRU (0.016), which is trained only that way; the seq2seq decoder, trained "
        "on the truth alone, does not. On most signals, not on every one (seed 7: FFT-GRU 0.27 against the "
        "LSTM's 0.17).",
    ),
    Experiment(
        "Noise of 5%: specialist against generalists",
        ARENA,
        {"arena_source": "Random", "arena_seed": "3", "arena_noise": "0.05", "arena_horizon": "10"},
        "Compare the two FFT-GRUs in the table under the plot. Which one loses to repeating the last value, "
        "and why? What did noise do to the poles?",
        "On this one noisy signal the default LSTM and FFT-GRU, trained on a broad mixture, beat repeating "
        "the last value (0.0039 and 0.010 against 0.015); the specialist, trained only on clean signals, has "
        "never seen noise and flies off the scale (5.2, hundreds of times worse). Linear prediction, exact on "
        "the clean signal, now loses to the networks (0.055): noise changes the ranking. Over many signals "
        "(suite 'noise-5' below) the default FFT-GRU beats repeating the last value and the specialist does "
        "not. The poles move inside the circle (fading waves) and new ones appear for the noise; the textbook "
        "fit puts some outside, which is why this app pulls them.",
    ),
    Experiment(
        "A real series: sunspots",
        ARENA,
        {"arena_source": "Random", "arena_suite": "sunspots", "arena_robust": "true"},
        "Scroll to the suite views and the robustness map. Who wins on real data, and who loses to repeating "
        "the last value?",
        "No method is exact on real data. Linear prediction and the broadly trained networks beat repeating "
        "the last value; the specialists trained on clean signals only do many times worse. The DFT's copy, for "
        "once, beats repeating the last value: the ~11-year cycle fits a 100-year window nearly 9 times.",
    ),
]

LAB_EXPERIMENTS = [
    Experiment(
        "Noise and a trend, each drawn on its own",
        LAB,
        {
            "lab_source": "Random harmonics",
            "lab_seed": "4",
            "lab_noise": "0.1",
            "lab_trend": "0.5",
        },
        "Choose 'stacked' above the plot. Which rows are harmonics, which are not? Which of them could a sum "
        "of cosines ever continue?",
        "The harmonics repeat; the trend only goes one way (here it falls) and the noise never repeats. The DFT "
        "and linear prediction can continue the harmonics; nothing can predict the noise, and the DFT's "
        "repeated window turns the trend into a jump back to where it started, at the seam.",
    ),
    Experiment(
        "Sunspots",
        LAB,
        {"lab_source": "Real series", "lab_series": "Sunspots (yearly, 1700-2008)"},
        "Count the years between peaks. Is the cycle always the same length and height?",
        "About 11 years, but between roughly 9 and 14, and the heights vary a lot: a real cycle is not one "
        "sine, which is why no forecaster is exact on it, where linear prediction is exact on clean sums.",
    ),
    Experiment(
        "A level shift",
        LAB,
        {"lab_source": "Other shapes", "lab_shape": "level shift, 5% noise", "lab_seed": "21"},
        "This series jumps once and then stays at its new level. Open the Forecast Arena and pick 'Signal "
        "Lab's signal': the jump is about halfway through the lookback. Which forecasters beat repeating "
        "the last value, and why not the others?",
        "Linear prediction finds the jump (a note under the chart says where and by how much) and forecasts "
        "the window as if it had always been at its new level: MSE 0.003, against 0.0039 for repeating the "
        "last value. Read as signal (the dotted line), the jump is no sum of harmonics, and the fit turns it "
        "into waves that go on after it: 0.032. The LSTM (0.004), the FFT-GRU (0.004, given the same two "
        "readings) and seq2seq (0.0041) are about as good as repeating the last value here. One signal is "
        "one draw; the README's table of shapes outside every training family has 1,000 such level shifts.",
    ),
]

TRAINING_EXPERIMENTS = [
    Experiment(
        "Watch a network learn",
        TRAINING,
        {"train_preset": "Quick (CPU, < 1 min)", "train_model": "fft_gru"},
        "Press 'Start training' and watch the preview under the curves. What does the forecast look like at "
        "first, and how many steps until it follows the waves?",
        "A flat-ish line at first. Measured here (run seed 0): at step 25 its validation error is already half of "
        "repeating the last value (0.10 against 0.20); at step 300, about 15 s on one CPU core, it is 0.057. It "
        "follows the first steps closely and drifts after them (error 0.001 at step 1, 0.12 at step 10): "
        "300 steps of 128 signals is 38,400 examples, where the shipped FFT-GRU saw millions.",
    ),
    Experiment(
        "Learn one step, or the whole horizon?",
        TRAINING,
        {"train_preset": "Quick (CPU, < 1 min)", "train_model": "lstm"},
        "Train the next-step LSTM with the same quick settings and compare its validation curve with the "
        "FFT-GRU's (tick both under 'Show curves of'). Which one ends lower, and why might that be?",
        "The FFT-GRU (about 0.06, measured here) ends well below the LSTM (about 0.11; repeating the last value: "
        "0.20). The LSTM is trained to predict one step ahead from the true past (teacher forcing) and never "
        "meets its own errors in training; the FFT-GRU is trained on the whole horizon fed its own outputs, "
        "and reads the spectrum of the lookback too.",
    ),
]

# Home: one step into each page, in the order of the path.
HOME_EXPERIMENTS = [LAB_EXPERIMENTS[0], DFT_EXPERIMENTS[1], ARENA_EXPERIMENTS[0], TRAINING_EXPERIMENTS[0]]
