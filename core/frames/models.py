"""Networks that forecast frames: ``forward(inputs [B, t_in, H, W]) -> [B, t_out, H, W]``.

Every model stores its constructor arguments in ``self.hparams`` (JSON: ``type(m)(**m.hparams)`` rebuilds
it), has a class attribute ``name`` and a ``loss(inputs, target)``, the training objective. The geometry
(height, width, t_in, ahead) comes from the data preset; ``ahead`` lists the steps after the last input
that are forecast, so a model for "the frame 10 steps on" runs its recurrence 10 steps and answers once.

Two heads. ``"mse"``: a linear output and the squared error, for image targets (a sigmoid with binary
cross-entropy stalled at a blank frame: the object is a few percent of the pixels). ``"softmax"``: the
output is a distribution over positions (cross-entropy against the target frame normalised to sum 1), for
one-pixel objects, where any pixel-wise loss is won by predicting nothing; the forecast frame is that
distribution scaled by the input frames' mean total intensity, so a confident forecast is the object.
"""

from __future__ import annotations

from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from core.frames.baselines import noise_level

HEADS = ("mse", "softmax")


class FrameModel(nn.Module):
    """The contract (see the module docstring). Subclasses call ``super().__init__`` with the geometry."""

    name: ClassVar[str] = ""

    def __init__(self, height: int, width: int, t_in: int, ahead: list[int], head: str = "mse") -> None:
        super().__init__()
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {head!r}")
        self.height, self.width, self.t_in = int(height), int(width), int(t_in)
        self.ahead = [int(a) for a in ahead]
        if not self.ahead or self.ahead != sorted(set(self.ahead)) or self.ahead[0] < 1:
            raise ValueError(f"ahead must be increasing steps >= 1, got {ahead!r}")
        self.head = head
        self.hparams: dict = {"height": self.height, "width": self.width, "t_in": self.t_in, "ahead": self.ahead}
        self.hparams["head"] = head

    @property
    def t_out(self) -> int:
        return len(self.ahead)

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """[B, t_in, H, W] -> [B, t_out, H, W]: the raw output (frames for "mse", logits for "softmax")."""
        raise NotImplementedError

    def loss(self, inputs: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        out = self.logits(inputs)
        if self.head == "mse":
            return F.mse_loss(out, target)
        labels = target.flatten(2)
        labels = labels / labels.sum(-1, keepdim=True).clamp_min(1e-12)
        return -(labels * F.log_softmax(out.flatten(2), -1)).sum(-1).mean()

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        out = self.logits(inputs)
        if self.head == "mse":
            return out
        mass = inputs.sum((-2, -1)).mean(1)[:, None, None, None]
        return F.softmax(out.flatten(2), -1).view_as(out) * mass

    def _steps(self) -> int:
        return self.ahead[-1]

    def _pick(self, outputs: list[torch.Tensor]) -> torch.Tensor:
        """Outputs of every future step [B, ...] -> the ``ahead`` ones stacked at dim 1."""
        return torch.stack([outputs[a - 1] for a in self.ahead], 1)


class ConvLSTMCell(nn.Module):
    """An LSTM whose gates are convolutions (Shi et al., 2015): the state is a map, so it keeps *where*.

    One convolution of [input, hidden] gives the four gates; the forget gate's bias starts at 1.
    ``in_channels`` may be 0 (a forecaster layer with no input: it runs on its state alone).
    """

    def __init__(self, in_channels: int, hidden: int, kernel: int) -> None:
        super().__init__()
        self.hidden = hidden
        self.gates = nn.Conv2d(in_channels + hidden, 4 * hidden, kernel, padding=kernel // 2)
        with torch.no_grad():
            self.gates.bias.zero_()
            self.gates.bias[hidden : 2 * hidden] = 1.0

    def forward(
        self, x: torch.Tensor | None, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h, c = state
        z = self.gates(h if x is None else torch.cat([x, h], 1))
        i, f, g, o = z.chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class ConvLSTM(FrameModel):
    """Encoder-forecaster of ``layers`` stacked ConvLSTM cells (Shi et al., 2015).

    Frames are cut into ``patch`` x ``patch`` patches (pixel-unshuffle: a 32x32 frame becomes 16 channels of
    8x8), so the recurrence runs on a coarse map and stays cheap on one CPU thread. The encoder reads the
    inputs; each forecaster layer starts from the state of the encoder layer at its depth and runs with no
    input; a 1x1 convolution of all forecaster layers' hidden maps gives each future frame's patches.

    coords: 1 adds two CoordConv channels (Liu et al., 2018), the row and column of each map cell in
    [-1, 1], to the first encoder layer's input and as the first forecaster layer's only input. A
    convolution is blind to where it is, which is what a one-pixel forecast must say.
    """

    name = "convlstm"

    def __init__(
        self,
        height: int,
        width: int,
        t_in: int,
        ahead: list[int],
        head: str = "mse",
        layers: int = 2,
        hidden: int = 32,
        kernel: int = 3,
        patch: int = 4,
        coords: int = 0,
    ) -> None:
        super().__init__(height, width, t_in, ahead, head)
        if not 1 <= layers <= 3:
            raise ValueError(f"layers must be 1, 2 or 3, got {layers}")
        if coords not in (0, 1):
            raise ValueError(f"coords must be 0 or 1, got {coords}")
        if height % patch or width % patch:
            raise ValueError(f"patch {patch} must divide the frame size {height}x{width}")
        if kernel % 2 == 0:
            raise ValueError(f"kernel must be odd (same-size maps), got {kernel}")
        self.hparams.update(layers=layers, hidden=hidden, kernel=kernel, patch=patch)
        if coords:
            self.hparams["coords"] = coords  # absent (0) in the checkpoints trained before the option existed
        self.patch, self.layers, self.hidden = patch, layers, hidden
        channels, extra = patch * patch, 2 * coords
        self.encoder = nn.ModuleList(
            ConvLSTMCell(channels + extra if i == 0 else hidden, hidden, kernel) for i in range(layers)
        )
        self.forecaster = nn.ModuleList(
            ConvLSTMCell(extra if i == 0 else hidden, hidden, kernel) for i in range(layers)
        )
        self.output = nn.Conv2d(layers * hidden, channels, 1)
        grid = torch.meshgrid(
            torch.linspace(-1, 1, height // patch), torch.linspace(-1, 1, width // patch), indexing="ij"
        )
        self.register_buffer("grid", torch.stack(grid)[:extra], persistent=False)  # [2 or 0, H/p, W/p]

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        b, t = inputs.shape[:2]
        x = F.pixel_unshuffle(inputs.reshape(b * t, 1, self.height, self.width), self.patch)
        x = x.view(b, t, *x.shape[1:])  # [B, T, p*p, H/p, W/p]
        zeros = x.new_zeros(b, self.hidden, *x.shape[-2:])
        states = [(zeros, zeros) for _ in range(self.layers)]
        where = self.grid.expand(b, *self.grid.shape)
        for step in range(t):
            layer_in = torch.cat([x[:, step], where], 1) if len(self.grid) else x[:, step]
            for i, cell in enumerate(self.encoder):
                states[i] = cell(layer_in, states[i])
                layer_in = states[i][0]
        outputs = []
        for _ in range(self._steps()):
            layer_in = where if len(self.grid) else None
            for i, cell in enumerate(self.forecaster):
                states[i] = cell(layer_in, states[i])
                layer_in = states[i][0]
            patches = self.output(torch.cat([h for h, _ in states], 1))
            outputs.append(F.pixel_shuffle(patches, self.patch)[:, 0])
        return self._pick(outputs)


class CNNLSTM(FrameModel):
    """A CNN encodes each frame to a vector, an LSTM carries the sequence, transposed convolutions draw.

    Three stride-2 convolutions (H/8 x W/8 x 32), a linear map to ``embed``, an LSTM of ``hidden`` that reads
    the inputs and then runs on with zero input for the future steps, and the mirror-image decoder. Space is
    squeezed into one vector: the LSTM must learn where the object is.
    """

    name = "cnn_lstm"

    def __init__(
        self,
        height: int,
        width: int,
        t_in: int,
        ahead: list[int],
        head: str = "mse",
        hidden: int = 128,
        embed: int = 128,
    ) -> None:
        super().__init__(height, width, t_in, ahead, head)
        if height % 8 or width % 8:
            raise ValueError(f"the CNN halves the frame three times: {height}x{width} must divide by 8")
        self.hparams.update(hidden=hidden, embed=embed)
        self.grid = (height // 8, width // 8)
        flat = 32 * self.grid[0] * self.grid[1]
        self.encode = nn.Sequential(
            nn.Conv2d(1, 16, 3, 2, 1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, 2, 1),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, 2, 1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(flat, embed),
        )
        self.lstm = nn.LSTMCell(embed, hidden)
        self.expand = nn.Linear(hidden, flat)
        self.decode = nn.Sequential(
            nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 4, 2, 1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 4, 2, 1),
            nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 4, 2, 1),
        )

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        b, t = inputs.shape[:2]
        codes = self.encode(inputs.reshape(b * t, 1, self.height, self.width)).view(b, t, -1)
        h = c = inputs.new_zeros(b, self.lstm.hidden_size)
        for step in range(t):
            h, c = self.lstm(codes[:, step], (h, c))
        zero = codes.new_zeros(b, codes.shape[-1])
        hidden = []
        for _ in range(self._steps()):
            h, c = self.lstm(zero, (h, c))
            hidden.append(h)
        chosen = self._pick(hidden)  # [B, t_out, hidden]
        maps = self.expand(chosen).view(b * self.t_out, 32, *self.grid)
        return self.decode(maps).view(b, self.t_out, self.height, self.width)


class FCLSTM(FrameModel):
    """The fully connected baseline (Srivastava et al., 2015): each frame flattened into an LSTM, the future
    frames read out of its state by one linear layer. No notion of neighbouring pixels at all."""

    name = "fc_lstm"

    def __init__(
        self, height: int, width: int, t_in: int, ahead: list[int], head: str = "mse", hidden: int = 64
    ) -> None:
        super().__init__(height, width, t_in, ahead, head)
        self.hparams.update(hidden=hidden)
        pixels = height * width
        self.encoder = nn.LSTMCell(pixels, hidden)
        self.forecaster = nn.LSTMCell(1, hidden)  # a constant input: the state does the work
        self.output = nn.Linear(hidden, pixels)

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        b, t = inputs.shape[:2]
        flat = inputs.reshape(b, t, -1)
        h = c = flat.new_zeros(b, self.encoder.hidden_size)
        for step in range(t):
            h, c = self.encoder(flat[:, step], (h, c))
        one = flat.new_ones(b, 1)
        outputs = []
        for _ in range(self._steps()):
            h, c = self.forecaster(one, (h, c))
            outputs.append(h)
        return self.output(self._pick(outputs)).view(b, self.t_out, self.height, self.width)


class CoordLSTM(FrameModel):
    """Coordinate-aware recurrent model: the frame as its row and column profiles, plus where they peak.

    Each input frame becomes its row projection (sum over columns, [H]), column projection ([W]), both
    normalised to sum 1, and CoordConv-style coordinate features: the profiles' centroids in [-1, 1] and
    their change since the previous frame. An LSTM reads these and runs on for the future steps. The head
    is coordinate-aware too: for each axis it gives a position ``mu`` and a width ``sigma``, and the logits
    of every row (column) ``k`` are ``-(coord_k - mu)^2 / (2 sigma^2)`` plus a small free correction ``w.h``
    per row (column), so a precise position costs one number, not a sharp pattern over 80 outputs. The
    forecast frame is the outer product of the two softmaxes: a distribution over positions.
    """

    name = "coord_lstm"

    def __init__(
        self,
        height: int,
        width: int,
        t_in: int,
        ahead: list[int],
        head: str = "softmax",
        hidden: int = 128,
        layers: int = 1,
    ) -> None:
        super().__init__(height, width, t_in, ahead, head)
        if not 1 <= layers <= 3:
            raise ValueError(f"layers must be 1, 2 or 3, got {layers}")
        self.hparams.update(hidden=hidden, layers=layers)
        features = height + width + 4
        self.lstm = nn.LSTM(features, hidden, layers, batch_first=True)
        self.future = nn.LSTM(1, hidden, layers, batch_first=True)
        self.where = nn.Linear(hidden, 4)  # mu_row, mu_col, log sigma_row, log sigma_col
        self.rows = nn.Linear(hidden, height)
        self.cols = nn.Linear(hidden, width)
        for free in (self.rows, self.cols):
            nn.init.zeros_(free.weight), nn.init.zeros_(free.bias)
        self.register_buffer("row_pos", torch.linspace(-1, 1, height), persistent=False)
        self.register_buffer("col_pos", torch.linspace(-1, 1, width), persistent=False)

    @staticmethod
    def lit(inputs: torch.Tensor) -> torch.Tensor:
        """The frames with every pixel at or below the frame's noise floor set to 0 (used in prediction).

        Noise on the input frames (which training on clean videos never shows) would swamp what this model
        reads: thousands of dim pixels outweigh one lit one, in the profiles and in the total intensity the
        forecast is scaled to. The floor is 6x the frame's own noise level (``noise_level``, read from the
        frame: 0 on a clean frame of one pixel, ~1e-8 on a blob, so clean input is unchanged), at most 3/4
        of its brightest pixel. Only outside training (``model.eval()``): reading the noise level costs about
        as much as a training step, and training sees its frames as they are. Gaussian noise passes 6 sigma
        once in 1e9 pixels: at 9,600 pixels and 20 frames a sequence, one sequence in 5,000 keeps a stray
        pixel (at 5 sigma: 1 in 20).
        """
        x = inputs.clamp_min(0.0)
        floor = torch.minimum(6 * noise_level(x), 0.75 * x.flatten(-2).amax(-1))
        return torch.where(x > floor[..., None, None], x, 0.0)

    def seen(self, inputs: torch.Tensor) -> torch.Tensor:
        """What the model reads of ``inputs``: their ``lit`` pixels in prediction, the frames as they are in
        training. Computed once per call of ``forward`` (the noise level is the costly part)."""
        return inputs.clamp_min(0.0) if self.training else self.lit(inputs)

    def features(self, inputs: torch.Tensor) -> torch.Tensor:
        """[B, T, H, W] -> [B, T, H + W + 4]: profiles, centroids, centroid steps (x10, to unit scale), of
        what the model reads of them (``seen``)."""
        return self._features(self.seen(inputs))

    def _features(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.sum(-1)
        cols = x.sum(-2)
        rows = rows / rows.sum(-1, keepdim=True).clamp_min(1e-6)
        cols = cols / cols.sum(-1, keepdim=True).clamp_min(1e-6)
        centre = torch.stack([(rows * self.row_pos).sum(-1), (cols * self.col_pos).sum(-1)], -1)
        step = torch.cat([torch.zeros_like(centre[:, :1]), centre[:, 1:] - centre[:, :-1]], 1)
        return torch.cat([rows, cols, centre, step * 10], -1)

    def axis_logits(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-probabilities of each row [B, t_out, H] and each column [B, t_out, W]."""
        return self._axis_logits(self.seen(inputs))

    def _axis_logits(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b = len(x)
        feats = self._features(x)
        _, state = self.lstm(feats)
        out, _ = self.future(feats.new_zeros(b, self._steps(), 1), state)
        chosen = out[:, [a - 1 for a in self.ahead]]  # [B, t_out, hidden]
        where = self.where(chosen)
        last = feats[:, -1:, self.height + self.width : self.height + self.width + 2]  # the last centroid
        mu = last + where[..., :2]  # a move from where the object was last seen
        sigma = F.softplus(where[..., 2:]) + 1e-3
        rows = -0.5 * ((self.row_pos - mu[..., :1]) / sigma[..., :1]) ** 2 + self.rows(chosen)
        cols = -0.5 * ((self.col_pos - mu[..., 1:]) / sigma[..., 1:]) ** 2 + self.cols(chosen)
        return F.log_softmax(rows, -1), F.log_softmax(cols, -1)

    @staticmethod
    def _joint(rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
        return rows[..., :, None] + cols[..., None, :]  # log of the outer product: a distribution

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._joint(*self.axis_logits(inputs))

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """The distribution over positions scaled by the mean intensity of the pixels the model reads."""
        x = self.seen(inputs)
        mass = x.sum((-2, -1)).mean(1)[:, None, None, None]
        return self._joint(*self._axis_logits(x)).exp() * mass

    def loss(self, inputs: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.head == "mse":
            return F.mse_loss(self(inputs), target)
        log_rows, log_cols = self.axis_logits(inputs)
        rows, cols = target.sum(-1), target.sum(-2)  # the target's own profiles, as labels
        rows = rows / rows.sum(-1, keepdim=True).clamp_min(1e-12)
        cols = cols / cols.sum(-1, keepdim=True).clamp_min(1e-12)
        return -((rows * log_rows).sum(-1) + (cols * log_cols).sum(-1)).mean()


MODELS: dict[str, type[FrameModel]] = {m.name: m for m in (ConvLSTM, CNNLSTM, FCLSTM, CoordLSTM)}


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
