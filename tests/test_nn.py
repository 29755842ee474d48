"""Tests for the networks, the stable binary cross-entropy and the training loop.

The training targets are stated here, tuned on the library with fixed seeds: each run must
reach its accuracy within its epoch budget. Training stops as soon as the target is met.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_lite as minitorch
from minitorch_lite import MLP, Linear, Scalar
from minitorch_lite.datasets import simple, xor

# ----- Stated training targets -------------------------------------------------------
# The library's defaults, measured as the networks issue states them: MLP(8, seed=s) trained
# by train(..., max_epochs=200) at train's default learning rate on 50 points of a dataset
# (seed s), for s = 0, 1, 2; the median accuracy on those points and on 200 fresh ones
# (seed s + 100). Measured with centred inputs, He-uniform weights and zero biases:
# training 1.00 on all five; fresh Simple 0.985, Diag 0.965, Split 0.915, Xor 0.93,
# Circle 0.95. (Before, with weights and biases uniform in [-1, 1) on raw inputs: training
# 0.96, 1.00, 0.82, 0.80, 0.80.) A broken derivative trains nowhere near.
N_POINTS, N_FRESH, EPOCHS, HIDDEN, SEEDS = 50, 200, 200, 8, (0, 1, 2)
TRAIN_TARGET = {"Simple": 0.98, "Diag": 0.98, "Split": 0.98, "Xor": 0.96, "Circle": 0.96}
FRESH_TARGET = 0.90

# The playground's defaults (book/playground.md): Simple within this many epochs.
PLAYGROUND_EPOCHS = 30


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def our_accuracy(model, data) -> float:
    """Predicted label is 1 when the score (logit) is positive."""
    hits = sum((model(x).data > 0) == (y == 1) for x, y in zip(data.X, data.y, strict=True))
    return hits / data.N


# ----- Linear ------------------------------------------------------------------------


def test_linear_parameter_names() -> None:
    lin = Linear(3, 2)
    names = [name for name, _ in lin.named_parameters()]
    expected = {f"weight_{i}_{j}" for i in range(3) for j in range(2)} | {"bias_0", "bias_1"}
    assert set(names) == expected
    assert len(names) == len(expected)


def test_linear_forward_computes_weighted_sums() -> None:
    lin = Linear(3, 2)
    p = {name: param.value.data for name, param in lin.named_parameters()}
    x = [0.5, -1.0, 2.0]
    out = lin.forward(x)
    assert len(out) == 2
    for j in range(2):
        expected = sum(x[i] * p[f"weight_{i}_{j}"] for i in range(3)) + p[f"bias_{j}"]
        assert isinstance(out[j], Scalar)
        assert out[j].data == pytest.approx(expected)


@pytest.mark.parametrize("in_size", [1, 2, 8, 50])
def test_linear_starts_he_uniform_with_zero_biases(in_size: int) -> None:
    layer = Linear(in_size, 16)
    weights = [w.value.data for row in layer.weights for w in row]
    bound = math.sqrt(6 / in_size)
    assert all(-bound <= w < bound for w in weights)
    assert len(set(weights)) == len(weights)  # equal weights would keep units identical
    assert max(abs(w) for w in weights) > 0.5 * bound  # the whole range, not a corner of it
    assert [b.value.data for b in layer.bias] == [0.0] * 16


# ----- MLP: 2 -> hidden -> hidden -> 1 -----------------------------------------------


@pytest.mark.parametrize("hidden", [1, 3, 5])
def test_mlp_shape(hidden: int) -> None:
    names = [name for name, _ in MLP(hidden, seed=0).named_parameters()]
    n_weights = 2 * hidden + hidden * hidden + hidden
    n_biases = hidden + hidden + 1
    assert len(names) == n_weights + n_biases
    assert sum(bool(re.search(r"(^|\.)weight_\d+_\d+$", n)) for n in names) == n_weights
    assert sum(bool(re.search(r"(^|\.)bias_\d+$", n)) for n in names) == n_biases


def test_mlp_init_is_seeded() -> None:
    def values(model) -> list[float]:
        return [p.value.data for p in model.parameters()]

    assert values(MLP(4, seed=1)) == values(MLP(4, seed=1))
    assert values(MLP(4, seed=1)) != values(MLP(4, seed=2))


@given(st.floats(0, 1), st.floats(0, 1))
def test_mlp_forward_is_the_score_of_centred_inputs(x1: float, x2: float) -> None:
    """``MLP(x)`` is the logit of the three layers applied to ``2 x - 1``, by hand."""
    model = MLP(3, seed=0)

    def layer(lin: Linear, inputs: list[float]) -> list[float]:
        return [
            lin.bias[j].value.data
            + sum(v * lin.weights[i][j].value.data for i, v in enumerate(inputs))
            for j in range(lin.out_size)
        ]

    h = [max(v, 0.0) for v in layer(model.layer1, [2 * x1 - 1, 2 * x2 - 1])]
    h = [max(v, 0.0) for v in layer(model.layer2, h)]
    expected = layer(model.layer3, h)[0]
    score = model((x1, x2))
    assert isinstance(score, Scalar)
    assert score.data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert model.forward((x1, x2)).data == score.data


def test_mlp_backward_reaches_every_layer() -> None:
    model = MLP(3, seed=0)
    # A point where ReLUs are active somewhere in each layer.
    minitorch.bce_loss(model((0.3, 0.8)), 1).backward()
    derivs = {n: p.value.derivative for n, p in model.named_parameters()}
    assert any(d for n, d in derivs.items())
    # The output layer's bias always gets sigmoid(s) - y != 0.
    out_bias = [n for n in derivs if re.search(r"bias_0$", n)]
    assert any(derivs[n] for n in out_bias)


# ----- Binary cross-entropy from the logit -------------------------------------------


def softplus(z: float) -> float:
    """log(1 + e^z), computed stably: the reference BCE is softplus(-s) or softplus(s)."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@given(st.floats(-30, 30), st.sampled_from([0, 1]))
def test_bce_loss_value_and_derivative(s: float, y: int) -> None:
    score = Scalar(s)
    loss = minitorch.bce_loss(score, y)
    # -log(sigmoid(s)) for y = 1, -log(1 - sigmoid(s)) for y = 0.
    expected = softplus(-s) if y == 1 else softplus(s)
    assert loss.data == pytest.approx(expected, rel=1e-9, abs=1e-12)
    loss.backward()
    assert score.derivative == pytest.approx(sigmoid(s) - y, rel=1e-9, abs=1e-12)


def test_bce_loss_at_zero_is_log_2() -> None:
    assert minitorch.bce_loss(Scalar(0.0), 1).data == pytest.approx(math.log(2))
    assert minitorch.bce_loss(Scalar(0.0), 0).data == pytest.approx(math.log(2))


@pytest.mark.parametrize(
    ("s", "y", "loss", "grad"),
    [
        (1000.0, 1, 0.0, 0.0),  # confidently right
        (-1000.0, 0, 0.0, 0.0),
        (1000.0, 0, 1000.0, 1.0),  # confidently wrong: log(0) in a naive loss
        (-1000.0, 1, 1000.0, -1.0),
        (1e6, 0, 1e6, 1.0),
    ],
)
def test_bce_loss_is_stable_when_saturated(s: float, y: int, loss: float, grad: float) -> None:
    score = Scalar(s)
    out = minitorch.bce_loss(score, y)
    assert math.isfinite(out.data)
    assert out.data == pytest.approx(loss, rel=1e-9, abs=1e-12)
    out.backward()
    assert math.isfinite(score.derivative)
    assert score.derivative == pytest.approx(grad, abs=1e-12)


def test_bce_loss_through_a_saturated_model() -> None:
    model = MLP(2, seed=0)
    for p in model.parameters():
        p.update(Scalar(p.value.data * 500))  # scores in the hundreds or thousands
    data = xor(10, seed=0)
    for x, y in zip(data.X, data.y, strict=True):
        loss = minitorch.bce_loss(model(x), y)
        loss.backward()
        assert math.isfinite(loss.data)
    assert all(
        p.value.derivative is None or math.isfinite(p.value.derivative) for p in model.parameters()
    )


# ----- The training loop -------------------------------------------------------------


def test_callback_reports_epoch_loss_accuracy() -> None:
    data = simple(20, seed=0)
    model = MLP(2, seed=0)
    # What the first epoch must report, computed here from the untrained model.
    losses = [minitorch.bce_loss(model(x), y).data for x, y in zip(data.X, data.y, strict=True)]
    first_loss, first_acc = sum(losses) / data.N, our_accuracy(model, data)

    calls: list[tuple] = []
    history = minitorch.train(
        model, data, learning_rate=0.5, max_epochs=5, callback=lambda *a: calls.append(a)
    )
    assert len(calls) == 5
    epochs = [c[0] for c in calls]
    assert epochs == list(range(epochs[0], epochs[0] + 5)) and epochs[0] in (0, 1)
    for _, loss, acc in calls:
        assert isinstance(loss, float) and math.isfinite(loss) and loss > 0
        assert 0.0 <= acc <= 1.0
        assert round(acc * data.N) == pytest.approx(acc * data.N)  # a fraction of N points
    assert calls[0][1] == pytest.approx(first_loss, rel=1e-9)
    assert calls[0][2] == pytest.approx(first_acc)
    assert [tuple(h) for h in history] == [tuple(c) for c in calls]


def test_train_without_callback_returns_history() -> None:
    history = minitorch.train(MLP(2, seed=0), simple(10, seed=0), learning_rate=0.5, max_epochs=3)
    assert len(history) == 3


def test_training_changes_parameters_and_lowers_loss() -> None:
    model = MLP(2, seed=0)
    before = [p.value.data for p in model.parameters()]
    history = minitorch.train(model, simple(N_POINTS, seed=0), learning_rate=1.0, max_epochs=15)
    after = [p.value.data for p in model.parameters()]
    assert before != after
    losses = [h[1] for h in history]
    assert losses[-1] < 0.8 * losses[0]


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


@pytest.mark.parametrize("name", list(TRAIN_TARGET))
def test_defaults_fit_and_generalise(name: str) -> None:
    """The issue's measure, on the compiled replay (the engine's floats, bit for bit)."""
    make = minitorch.datasets[name]
    fitted, fresh = [], []
    for seed in SEEDS:
        model, data = MLP(HIDDEN, seed=seed), make(N_POINTS, seed=seed)
        minitorch.train(model, data, max_epochs=EPOCHS, compiled=True)
        fitted.append(minitorch.accuracy(model, data))
        fresh.append(minitorch.accuracy(model, make(N_FRESH, seed=seed + 100)))
    assert median(fitted) >= TRAIN_TARGET[name], f"{name}: training accuracy {fitted}"
    assert median(fresh) >= FRESH_TARGET, f"{name}: accuracy on fresh points {fresh}"


def test_engine_and_compiled_training_agree() -> None:
    logs = [
        minitorch.train(MLP(4, seed=1), xor(20, seed=1), max_epochs=15, compiled=compiled)
        for compiled in (False, True)
    ]
    assert logs[0] == logs[1]


class TargetReached(Exception):
    pass


def epochs_to_reach(model, data, lr: float, max_epochs: int, target: float) -> int | None:
    """The first epoch whose reported accuracy reaches ``target``, or None."""
    reached: list[int] = []

    def stop_when_reached(epoch: int, loss: float, acc: float) -> None:
        assert math.isfinite(loss)
        if acc >= target:
            reached.append(epoch)
            raise TargetReached

    try:
        minitorch.train(
            model, data, learning_rate=lr, max_epochs=max_epochs, callback=stop_when_reached
        )
    except TargetReached:
        return reached[0]
    return None


def test_playground_defaults_reach_95_percent_on_simple() -> None:
    """The playground's defaults (book/playground.md: MLP(8, seed 0), Simple, 50 points,
    seed 0, learning rate 0.5) reach 95% on Simple within PLAYGROUND_EPOCHS epochs."""
    data = simple(N_POINTS, seed=0)
    epoch = epochs_to_reach(MLP(8, seed=0), data, 0.5, PLAYGROUND_EPOCHS, 0.95)
    assert epoch is not None, f"simple: no 95% in {PLAYGROUND_EPOCHS} epochs"
