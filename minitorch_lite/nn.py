"""Small networks on Scalars, a stable loss, and a training loop.

Two shapes of model:

* the lecture's teaching model: :class:`LinearModel` (``w_1, w_2, b``) and
  :class:`Network`, two hidden ReLU units and a linear classifier, all starting at 0;
* a general one: :class:`Linear` layers in an :class:`MLP` of shape
  2 → hidden → hidden → 1, randomly initialised from a seed.

Every model's ``forward(x)`` (what ``model(x)`` calls) returns its *score*, the raw output
(a logit): a score above 0 means label 1. :func:`bce_loss` turns a score and a label into
a loss, and :func:`train` fits a model to a :class:`~minitorch_lite.datasets.Graph`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .compile import trace
from .datasets import Graph
from .module import Module, Parameter
from .optim import SGD
from .scalar import Scalar
from .scalar_functions import LogSigmoid

Input = Sequence[float | Scalar]


class LinearModel(Module):
    """The lecture's linear model :math:`m(x) = x_1 w_1 + x_2 w_2 + b`, starting at 0."""

    def __init__(self) -> None:
        super().__init__()
        self.w_1 = Parameter(Scalar(0.0))
        self.w_2 = Parameter(Scalar(0.0))
        self.b = Parameter(Scalar(0.0))

    def forward(self, inputs: Input) -> Scalar:
        """The score :math:`x_1 w_1 + x_2 w_2 + b`."""
        return inputs[0] * self.w_1.value + inputs[1] * self.w_2.value + self.b.value


class Network(Module):
    """The lecture's network: two hidden ReLU units, then a linear classifier."""

    def __init__(self) -> None:
        super().__init__()
        self.unit1 = LinearModel()
        self.unit2 = LinearModel()
        self.classify = LinearModel()

    def forward(self, x: Input) -> Scalar:
        """The classifier's score of the two hidden units' ReLU outputs."""
        h1 = self.unit1(x).relu()
        h2 = self.unit2(x).relu()
        return self.classify((h1, h2))


class Linear(Module):
    """A fully connected layer: ``out[j] = bias_j + sum_i x[i] * weight_i_j``.

    Biases start at 0. Weights start uniform in [-a, a) with a = sqrt(6 / in_size), drawn
    from ``rng``: "He" initialisation, made for ReLU layers. Its variance 2 / in_size keeps
    the spread of the linear parts about the same from one ReLU layer to the next, however
    wide the layers are (the book's "Hidden layers" chapter, "Starting well").
    """

    def __init__(self, in_size: int, out_size: int, rng: random.Random | None = None) -> None:
        super().__init__()
        for what, n in (("in_size", in_size), ("out_size", out_size)):
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(f"Linear {what} must be a positive whole number, got {n!r}")
        rng = rng or random.Random(0)
        self.in_size, self.out_size = in_size, out_size
        a = math.sqrt(6 / in_size)
        self.weights = [
            [self.add_parameter(f"weight_{i}_{j}", rng.uniform(-a, a)) for j in range(out_size)]
            for i in range(in_size)
        ]
        self.bias = [self.add_parameter(f"bias_{j}", 0.0) for j in range(out_size)]

    def forward(self, inputs: Input) -> list[Scalar]:
        if len(inputs) != self.in_size:
            raise ValueError(f"Linear expects {self.in_size} inputs, got {len(inputs)}")
        outputs = []
        for j in range(self.out_size):
            total = self.bias[j].value
            for i, x in enumerate(inputs):
                total = total + x * self.weights[i][j].value
            outputs.append(total)
        return outputs


class MLP(Module):
    """A network 2 → hidden → hidden → 1 with ReLU hidden layers; its output is the score.

    The inputs (points of the unit square) are first centred and scaled to [-1, 1]: each
    first-layer unit then starts with its line through the middle of the data, whatever
    its random weights. ``sigmoid`` of the score is the probability of label 1.
    """

    def __init__(self, hidden: int, seed: int = 0) -> None:
        super().__init__()
        rng = random.Random(seed)
        self.layer1 = Linear(2, hidden, rng)
        self.layer2 = Linear(hidden, hidden, rng)
        self.layer3 = Linear(hidden, 1, rng)

    def centre(self, x: Input) -> list[float | Scalar]:
        """Point ``x`` of the unit square moved to [-1, 1]²: ``2 x - 1``, coordinate-wise."""
        return [2 * v - 1 for v in x]

    def forward(self, x: Input) -> Scalar:
        """The score (logit) of point ``x``: above 0 means label 1."""
        h = [v.relu() for v in self.layer1(self.centre(x))]
        h = [v.relu() for v in self.layer2(h)]
        return self.layer3(h)[0]


def bce_loss(score: Scalar | float, y: int) -> Scalar:
    r"""Binary cross-entropy of a logit ``score`` for label ``y`` (0 or 1).

    Written as :math:`-\log\sigma(s)` for ``y = 1`` and :math:`-\log\sigma(-s)`
    for ``y = 0``, which stays finite when the sigmoid saturates.
    """
    if y not in (0, 1) or isinstance(y, float) and not y.is_integer():
        raise ValueError(f"label must be 0 or 1, got {y!r}")
    return -LogSigmoid.apply(score if y == 1 else -score)


class Epoch(NamedTuple):
    """One line of a training log."""

    epoch: int
    loss: float
    accuracy: float


def train(
    model: Module,
    data: Graph,
    learning_rate: float = 0.5,
    max_epochs: int = 100,
    callback: Callable[[int, float, float], object] | None = None,
    compiled: bool = False,
) -> list[Epoch]:
    """Fit ``model`` to ``data`` by full-batch gradient descent on the mean BCE loss.

    Each epoch: zero the derivatives, forward every point, backward the mean loss,
    one SGD step. ``callback(epoch, loss, accuracy)`` is called after every epoch
    (accuracy measured before the step); returns the list of :class:`Epoch` records.

    ``compiled=True`` traces the epoch's loss once (:mod:`minitorch_lite.compile`) and
    replays the generated code every epoch: the same losses, float for float, much faster.
    """
    if not isinstance(model, Module):
        raise TypeError(f"train needs a Module whose forward(x) is a score, got {type(model)!r}")
    optim = SGD(model.parameters(), learning_rate)
    log: list[Epoch] = []
    if compiled:
        return _train_compiled(model, data, optim, max_epochs, callback)
    for epoch in range(1, max_epochs + 1):
        optim.zero_grad()
        total: Scalar | float = 0.0
        correct = 0
        for x, y in zip(data.X, data.y, strict=True):
            s = model(x)
            correct += int((s.data > 0) == (y == 1))
            total = bce_loss(s, y) + total
        loss = total / data.N
        loss.backward()
        optim.step()
        record = Epoch(epoch, loss.data, correct / data.N)
        log.append(record)
        if callback is not None:
            callback(*record)
    return log


def accuracy(model: Module, data: Graph) -> float:
    """Fraction of points whose predicted label (score > 0) matches."""
    pairs = zip(data.X, data.y, strict=True)
    correct = sum(int((model(x).data > 0) == (y == 1)) for x, y in pairs)
    return correct / data.N


def compiled_step(
    model: Module, data: Graph, test: Graph | None = None
) -> Callable[[float], tuple[float, float, float | None]]:
    """One epoch of :func:`train`, traced once: ``step(learning_rate)`` -> (loss, accuracy,
    test accuracy).

    Each call replays the traced mean BCE loss and its gradients at the parameters'
    current values, then takes the SGD step in place: the same floats as an engine epoch.
    With ``test`` (fresh points), the replay also scores them, at the same parameters as
    the training accuracy (before the step); without it the test accuracy is None.
    """
    values = [p.value for p in model.parameters()]
    points = list(data.X) + (list(test.X) if test is not None else [])

    def epoch_loss() -> tuple[Scalar, list[Scalar]]:
        total: Scalar | float = 0.0
        scores = [model(x) for x in points]
        for s, y in zip(scores[: data.N], data.y, strict=True):
            total = bce_loss(s, y) + total
        return total / data.N, scores  # type: ignore[return-value]

    def set_values(new: Sequence[float]) -> None:
        for v, x in zip(values, new, strict=True):
            v.data = x

    _, replay = trace(epoch_loss, values, set_values, "epoch_loss", reuse=True)
    labels = [y == 1 for y in data.y] + ([y == 1 for y in test.y] if test is not None else [])

    def step(learning_rate: float) -> tuple[float, float, float | None]:
        loss, grads, scores = replay(*[v.data for v in values])
        right = [(s > 0) == y for s, y in zip(scores, labels, strict=True)]
        for v, g in zip(values, grads, strict=True):
            v.derivative = g
            v.data = v.data - learning_rate * g
        tested = sum(right[data.N :]) / test.N if test is not None else None
        return loss, sum(right[: data.N]) / data.N, tested

    return step


def _train_compiled(
    model: Module,
    data: Graph,
    optim: SGD,
    max_epochs: int,
    callback: Callable[[int, float, float], object] | None,
) -> list[Epoch]:
    """:func:`train`'s loop, on code traced from one epoch's loss (same floats)."""
    step = compiled_step(model, data)
    log: list[Epoch] = []
    for epoch in range(1, max_epochs + 1):
        loss, acc, _ = step(optim.lr)
        record = Epoch(epoch, loss, acc)
        log.append(record)
        if callback is not None:
            callback(*record)
    return log
