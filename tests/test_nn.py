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
# Full-batch gradient descent (``train``) on N_POINTS points, MLP 2 -> hidden -> hidden -> 1,
# data seed = model seed. Measured when tuned: `simple` reached 0.95 after 12, 15 and 9 epochs
# for seeds 3, 4, 5 (seeds 0-5: 9 to 51); `xor` reached 0.9 after 63 and 17 epochs for seeds
# 2 and 4 (seeds 0-4: 17 to 144, one seed stuck). A broken derivative trains nowhere near.
N_POINTS = 50

SIMPLE_TARGET = 0.95  # accuracy on `simple`...
SIMPLE_EPOCHS = 50  # ...reached within this many epochs, for every seed below
SIMPLE_HIDDEN = 8
SIMPLE_LR = 1.0
SIMPLE_SEEDS = (3, 4, 5)

XOR_TARGET = 0.9  # accuracy on `xor`...
XOR_EPOCHS = 300  # ...reached within this many epochs, for every seed below
XOR_HIDDEN = 8
XOR_LR = 1.0
XOR_SEEDS = (2, 4)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def our_accuracy(model, data) -> float:
    """Predicted label is 1 when the score (logit) is positive."""
    hits = sum((model.score(x).data > 0) == (y == 1) for x, y in zip(data.X, data.y, strict=True))
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


def test_linear_starts_random_not_zero() -> None:
    values = [p.value.data for p in Linear(4, 4).parameters()]
    assert len(set(values)) == len(values)  # zeros would keep hidden units identical


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
    v = values(MLP(4, seed=0))
    assert len(set(v)) == len(v)


@given(st.floats(0, 1), st.floats(0, 1))
def test_mlp_forward_is_sigmoid_of_score(x1: float, x2: float) -> None:
    model = MLP(3, seed=0)
    score = model.score((x1, x2))
    prob = model.forward((x1, x2))
    assert isinstance(score, Scalar) and isinstance(prob, Scalar)
    assert 0.0 < prob.data < 1.0
    assert prob.data == pytest.approx(sigmoid(score.data), rel=1e-12)
    assert model((x1, x2)).data == prob.data


def test_mlp_backward_reaches_every_layer() -> None:
    model = MLP(3, seed=0)
    # A point where ReLUs are active somewhere in each layer.
    minitorch.bce_loss(model.score((0.3, 0.8)), 1).backward()
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
        loss = minitorch.bce_loss(model.score(x), y)
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
    losses = [
        minitorch.bce_loss(model.score(x), y).data for x, y in zip(data.X, data.y, strict=True)
    ]
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


@pytest.mark.parametrize("seed", SIMPLE_SEEDS)
def test_training_on_simple_reaches_target(seed: int) -> None:
    data = simple(N_POINTS, seed=seed)
    epoch = epochs_to_reach(
        MLP(SIMPLE_HIDDEN, seed=seed), data, SIMPLE_LR, SIMPLE_EPOCHS, SIMPLE_TARGET
    )
    assert epoch is not None, f"simple: no {SIMPLE_TARGET} accuracy in {SIMPLE_EPOCHS} epochs"


@pytest.mark.parametrize("seed", XOR_SEEDS)
def test_training_on_xor_reaches_target(seed: int) -> None:
    data = xor(N_POINTS, seed=seed)
    epoch = epochs_to_reach(MLP(XOR_HIDDEN, seed=seed), data, XOR_LR, XOR_EPOCHS, XOR_TARGET)
    assert epoch is not None, f"xor: no {XOR_TARGET} accuracy in {XOR_EPOCHS} epochs"
