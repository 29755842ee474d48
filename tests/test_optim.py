"""Tests for ``SGD``: zero_grad, step, and that it minimises a simple loss."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minitorch_lite import SGD, Module, Parameter, Scalar


class Quadratic(Module):
    """loss(w, b) = (w - 3)^2 + (b + 1)^2, minimised at w = 3, b = -1."""

    def __init__(self) -> None:
        super().__init__()
        self.w = Parameter(Scalar(0.0))
        self.b = Parameter(Scalar(0.0))

    def forward(self) -> Scalar:
        dw = self.w.value - 3.0
        db = self.b.value + 1.0
        return dw * dw + db * db


def test_zero_grad_clears_derivatives() -> None:
    model = Quadratic()
    optim = SGD(model.parameters(), lr=0.1)
    model().backward()
    assert model.w.value.derivative == pytest.approx(-6.0)
    optim.zero_grad()
    for p in model.parameters():
        assert not p.value.derivative  # None or 0.0


@given(st.floats(0.001, 1.0), st.floats(-5, 5), st.floats(-5, 5))
def test_step_moves_against_the_derivative(lr: float, w0: float, b0: float) -> None:
    model = Quadratic()
    model.w.update(Scalar(w0))
    model.b.update(Scalar(b0))
    optim = SGD(model.parameters(), lr=lr)
    model().backward()
    optim.step()
    assert model.w.value.data == pytest.approx(w0 - lr * 2 * (w0 - 3.0))
    assert model.b.value.data == pytest.approx(b0 - lr * 2 * (b0 + 1.0))


def test_step_keeps_leaves() -> None:
    model = Quadratic()
    optim = SGD(model.parameters(), lr=0.1)
    model().backward()
    optim.step()
    for p in model.parameters():
        assert isinstance(p.value, Scalar)
        assert p.value.is_leaf()  # no history linking to the old graph


def test_step_skips_parameters_without_derivative() -> None:
    model = Quadratic()
    optim = SGD(model.parameters(), lr=0.1)
    (model.w.value * 2.0).backward()  # b takes no part
    optim.step()
    assert model.w.value.data == pytest.approx(-0.2)
    assert model.b.value.data == 0.0


def test_sgd_minimises() -> None:
    model = Quadratic()
    optim = SGD(model.parameters(), lr=0.1)
    for _ in range(100):
        optim.zero_grad()
        model().backward()
        optim.step()
    assert model.w.value.data == pytest.approx(3.0, abs=1e-6)
    assert model.b.value.data == pytest.approx(-1.0, abs=1e-6)


def test_without_zero_grad_derivatives_pile_up() -> None:
    # The seed's train_step never calls zero_grad: the second step uses a stale sum.
    model = Quadratic()
    optim = SGD(model.parameters(), lr=0.1)
    model().backward()
    model().backward()
    assert model.w.value.derivative == pytest.approx(-12.0)
    optim.step()
    assert model.w.value.data == pytest.approx(1.2)


def test_sgd_on_a_module_tree(teaching_network) -> None:
    params = teaching_network.parameters()
    optim = SGD(params, lr=0.5)
    for p in params:
        p.update(Scalar(1.0))
    teaching_network.forward((0.5, 0.5)).backward()
    optim.step()
    # classify.b's derivative is 1, so it moved by exactly lr.
    assert dict(teaching_network.named_parameters())["classify.b"].value.data == 0.5
    assert all(p.value.data != 1.0 for p in params)


def test_sgd_rejects_nonsense() -> None:
    with pytest.raises((TypeError, ValueError)):
        SGD([Scalar(1.0)], lr=0.1)  # a Scalar is not a Parameter
    with pytest.raises((TypeError, ValueError)):
        SGD([], lr="fast")


def test_step_updates_in_place_and_keeps_derivatives() -> None:
    """The parameter keeps its Scalar: a step changes ``data``, not the object, and leaves
    the derivative for ``zero_grad`` to clear."""
    model = Quadratic()
    optim = SGD(model.parameters(), lr=0.1)
    w = model.w.value
    model().backward()
    optim.step()
    assert model.w.value is w
    assert w.derivative == pytest.approx(-6.0)
    optim.zero_grad()
    assert w.derivative is None


def test_forgetting_zero_grad_breaks_training() -> None:
    """Without zero_grad each step adds the new gradient to all the old ones: the loss that
    falls with zero_grad ends far higher without it."""

    def final_loss(zero_grad: bool) -> float:
        model = Quadratic()
        optim = SGD(model.parameters(), lr=0.1)
        for _ in range(30):
            if zero_grad:
                optim.zero_grad()
            model().backward()
            optim.step()
        return model().data

    assert final_loss(True) < 1e-4
    assert final_loss(False) > 100 * final_loss(True) + 0.1
