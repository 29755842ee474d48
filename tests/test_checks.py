"""Tests for the exercise checkers: the library's own code passes, typical mistakes fail
with a hint, and an exception in the reader's code becomes a verdict, never a crash."""

from __future__ import annotations

import math

import pytest

import minitorch_lite as minitorch
from minitorch_lite import checks
from minitorch_lite.autodiff import Variable


def forward_difference(f, *vals, arg=0, epsilon=1e-6):  # noqa: ANN001, ANN201
    up = list(vals)
    up[arg] += epsilon
    return (f(*up) - f(*vals)) / epsilon


def test_central_difference_checker() -> None:
    checks.check_central_difference(minitorch.central_difference)
    with pytest.raises(AssertionError, match="Hint"):
        checks.check_central_difference(forward_difference)
    with pytest.raises(AssertionError, match="raised TypeError"):
        checks.check_central_difference(lambda f, *v: f(*v, 1))


class Div(minitorch.ScalarFunction):
    @staticmethod
    def forward(ctx: minitorch.Context, a: float, b: float) -> float:
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx: minitorch.Context, d: float) -> tuple[float, float]:
        a, b = ctx.saved_values
        return d / b, -a * d / (b * b)


class BadDiv(Div):
    @staticmethod
    def backward(ctx: minitorch.Context, d: float) -> tuple[float, float]:
        a, b = ctx.saved_values
        return d / b, a * d / (b * b)  # sign lost


class UnfinishedDiv(Div):
    @staticmethod
    def backward(
        ctx: minitorch.Context, d: float
    ) -> tuple[float, float]: ...  # the starter's ellipsis: returns None


def test_scalar_function_checker(capsys: pytest.CaptureFixture[str]) -> None:
    checks.check_scalar_function(Div)
    checks.check_scalar_function(minitorch.Exp)
    assert "all 4 cases passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="argument 1"):
        checks.check_scalar_function(BadDiv)
    with pytest.raises(AssertionError, match="BadDiv|UnfinishedDiv|Hint"):
        checks.check_scalar_function(UnfinishedDiv)
    with pytest.raises(TypeError):
        checks.check_scalar_function(int)  # type: ignore[arg-type]


def recursive_sort(variable: Variable) -> list[Variable]:
    order: list[Variable] = []
    seen: set[int] = set()

    def visit(v: Variable) -> None:
        if v.is_constant() or v.unique_id in seen:
            return
        seen.add(v.unique_id)
        for parent in v.parents:
            visit(parent)
        order.append(v)

    visit(variable)
    return order[::-1]


def test_topological_sort_checker(capsys: pytest.CaptureFixture[str]) -> None:
    checks.check_topological_sort(minitorch.topological_sort)
    assert "100,000" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="recursion") as failure:
        checks.check_topological_sort(recursive_sort)
    assert "stack" in str(failure.value)
    with pytest.raises(AssertionError, match="comes before"):
        checks.check_topological_sort(lambda v: minitorch.topological_sort(v)[::-1])
    with pytest.raises(AssertionError, match="each once"):
        checks.check_topological_sort(lambda v: [v])


def overwriting_backpropagate(variable: Variable, deriv: float) -> None:
    derivatives = {variable.unique_id: deriv}
    for var in minitorch.topological_sort(variable):
        d = derivatives.get(var.unique_id, 0.0)
        if var.is_leaf():
            var.accumulate_derivative(d)
            continue
        for parent, d_parent in var.chain_rule(d):
            derivatives[parent.unique_id] = d_parent  # overwrites: a second use is lost


def test_backpropagate_checker() -> None:
    checks.check_backpropagate(minitorch.backpropagate)
    with pytest.raises(AssertionError, match="used twice|expression"):
        checks.check_backpropagate(overwriting_backpropagate)
    with pytest.raises(AssertionError, match="still None"):
        checks.check_backpropagate(lambda v, d: None)


def test_train_step_checker() -> None:
    def train_step(optim, model, data, zero_grad=True):  # noqa: ANN001, ANN202
        if zero_grad:
            optim.zero_grad()
        total = 0.0
        for x, y in zip(data.X, data.y, strict=True):
            total = minitorch.bce_loss(model(x), y) + total
        loss = total / data.N
        loss.backward()
        optim.step()
        return loss.data

    checks.check_train_step(train_step)
    with pytest.raises(AssertionError, match="step 2|parameter"):
        checks.check_train_step(lambda optim, model, data: train_step(optim, model, data, False))
    with pytest.raises(AssertionError, match="raised"):
        checks.check_train_step(lambda optim, model, data: math.log(-1))


def test_linear_model_checker() -> None:
    checks.check_linear_model(minitorch.LinearModel)

    class NoValue(minitorch.LinearModel):
        def forward(self, x):  # noqa: ANN001, ANN202
            return x[0] * self.w_1.value.data + x[1] * self.w_2.value + self.b.value

    class Unfinished(minitorch.Module):
        def __init__(self) -> None: ...

    with pytest.raises(AssertionError, match="w_1"):
        checks.check_linear_model(NoValue)
    with pytest.raises(AssertionError, match="super"):
        checks.check_linear_model(Unfinished)
