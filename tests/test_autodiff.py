"""Tests for the graph machinery: central_difference, derivative_check, topological_sort,
backpropagate, the chain rule, shared inputs and a 100,000-deep chain."""

from __future__ import annotations

import math

import pytest
from hypothesis import given

import minitorch_lite as minitorch
from minitorch_lite import Scalar
from tests.strategies import exp_floats, positive_floats, small_floats

# ----- central_difference ------------------------------------------------------------


def test_central_difference_on_floats() -> None:
    assert minitorch.central_difference(lambda x: x * x, 3.0) == pytest.approx(6.0, abs=1e-5)
    assert minitorch.central_difference(lambda x: 5.0 * x + 1.0, -2.0) == pytest.approx(5.0)


def test_central_difference_picks_the_argument() -> None:
    def f(x: float, y: float, z: float) -> float:
        return x * y * y + 3.0 * z

    assert minitorch.central_difference(f, 2.0, 3.0, 7.0, arg=0) == pytest.approx(9.0, abs=1e-5)
    assert minitorch.central_difference(f, 2.0, 3.0, 7.0, arg=1) == pytest.approx(12.0, abs=1e-5)
    assert minitorch.central_difference(f, 2.0, 3.0, 7.0, arg=2) == pytest.approx(3.0, abs=1e-5)


def test_central_difference_uses_epsilon() -> None:
    # For x^3 at 1 the central difference is 3 + eps^2 exactly: the epsilon shows.
    approx = minitorch.central_difference(lambda x: x**3, 1.0, epsilon=0.1)
    assert approx == pytest.approx(3.01, abs=1e-9)
    fine = minitorch.central_difference(lambda x: x**3, 1.0, epsilon=1e-4)
    assert fine == pytest.approx(3.0, abs=1e-6)


@given(small_floats)
def test_central_difference_of_sin_is_cos(x: float) -> None:
    assert minitorch.central_difference(math.sin, x) == pytest.approx(math.cos(x), abs=1e-6)


@given(exp_floats)
def test_central_difference_of_exp(x: float) -> None:
    approx = minitorch.central_difference(math.exp, x)
    assert approx == pytest.approx(math.exp(x), rel=1e-5, abs=1e-6)


def test_central_difference_on_scalars() -> None:
    x, y = Scalar(2.0), Scalar(3.0)
    dx = minitorch.central_difference(lambda a, b: a * b * b, x, y, arg=0)
    dy = minitorch.central_difference(lambda a, b: a * b * b, x, y, arg=1)
    assert isinstance(dx, float) and isinstance(dy, float)
    assert dx == pytest.approx(9.0, abs=1e-5)
    assert dy == pytest.approx(12.0, abs=1e-5)
    # The numerical derivative leaves the inputs untouched.
    assert x.data == 2.0 and y.data == 3.0
    assert x.derivative is None and y.derivative is None


@pytest.mark.parametrize("arg", [2, 5, -1])
def test_central_difference_arg_out_of_range(arg: int) -> None:
    with pytest.raises((ValueError, TypeError), match=r"arg"):
        minitorch.central_difference(lambda x, y: x * y, 1.0, 2.0, arg=arg)


# ----- derivative_check --------------------------------------------------------------


def test_derivative_check_accepts_correct_derivatives(square) -> None:
    minitorch.derivative_check(lambda x, y: x * y + x.log(), Scalar(2.0), Scalar(-3.0))
    minitorch.derivative_check(lambda x: square.apply(x), Scalar(1.5))
    minitorch.derivative_check(lambda x: (x * x).sigmoid(), Scalar(0.3))


class WrongSquare(minitorch.ScalarFunction):
    """x^2 with a wrong derivative (3x instead of 2x)."""

    @staticmethod
    def forward(ctx: minitorch.Context, x: float) -> float:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: minitorch.Context, d_out: float) -> float:
        (x,) = ctx.saved_values
        return 3 * x * d_out


def test_derivative_check_catches_a_wrong_backward() -> None:
    with pytest.raises(AssertionError):
        minitorch.derivative_check(lambda x: WrongSquare.apply(x), Scalar(2.0))
    with pytest.raises(AssertionError):
        minitorch.derivative_check(lambda x, y: WrongSquare.apply(x) * y, Scalar(1.0), Scalar(4.0))


# ----- topological_sort --------------------------------------------------------------


def reachable(out: Scalar) -> dict[int, Scalar]:
    """Every non-constant Scalar that ``out`` depends on, found by our own graph walk."""
    seen: dict[int, Scalar] = {}
    stack = [out]
    while stack:
        v = stack.pop()
        if v.is_constant() or v.unique_id in seen:
            continue
        seen[v.unique_id] = v
        stack.extend(v.parents)
    return seen


def assert_topological(out: Scalar, order: list[Scalar]) -> None:
    ids = [v.unique_id for v in order]
    assert len(ids) == len(set(ids)), "a variable appears twice"
    assert ids[0] == out.unique_id, "the output must come first"
    assert set(ids) == set(reachable(out)), "the order must hold exactly the graph's variables"
    position = {uid: i for i, uid in enumerate(ids)}
    for v in order:
        for p in v.parents:
            if not p.is_constant():
                assert position[v.unique_id] < position[p.unique_id], (
                    f"{v!r} must come before its input {p!r}"
                )


def test_topological_sort_diamond() -> None:
    x = Scalar(2.0, name="x")
    a = x * 2.0
    b = x + 3.0
    c = a * b
    d = c + a
    order = list(minitorch.topological_sort(d))
    assert_topological(d, order)
    # 2.0 and 3.0 become leaf Scalars too, so count only what we named.
    names = {v.unique_id for v in order}
    assert {x.unique_id, a.unique_id, b.unique_id, c.unique_id, d.unique_id} <= names


def test_topological_sort_skips_constants() -> None:
    x = Scalar(1.0)
    c = Scalar(5.0, None)  # a constant: no history, no derivative
    out = x * c + c
    order = list(minitorch.topological_sort(out))
    assert c.unique_id not in {v.unique_id for v in order}
    assert x.unique_id in {v.unique_id for v in order}


def test_topological_sort_of_a_leaf_is_the_leaf() -> None:
    x = Scalar(1.0)
    assert [v.unique_id for v in minitorch.topological_sort(x)] == [x.unique_id]


@given(small_floats, small_floats)
def test_topological_sort_random_values(u: float, v: float) -> None:
    x, y = Scalar(u), Scalar(v)
    z = (x * y + x).relu() * (y - x) + x.sigmoid() * x
    assert_topological(z, list(minitorch.topological_sort(z)))


# ----- backpropagate and the chain rule ----------------------------------------------


def test_backpropagate_seeds_with_deriv() -> None:
    x, y = Scalar(2.0), Scalar(3.0)
    z = x * y
    minitorch.backpropagate(z, 2.0)
    assert x.derivative == pytest.approx(6.0)
    assert y.derivative == pytest.approx(4.0)


def test_backward_defaults_to_one() -> None:
    x, y = Scalar(2.0), Scalar(3.0)
    (x * y).backward()
    assert x.derivative == pytest.approx(3.0)
    assert y.derivative == pytest.approx(2.0)


def test_backward_with_d_output() -> None:
    x = Scalar(4.0)
    (x * x).backward(0.5)
    assert x.derivative == pytest.approx(4.0)


@given(small_floats.filter(lambda v: abs(v) < 5))
def test_chain_rule_through_nested_functions(v: float) -> None:
    x = Scalar(v)
    (x * x).exp().backward()
    assert x.derivative == pytest.approx(2 * v * math.exp(v * v), rel=1e-9, abs=1e-12)


@given(positive_floats)
def test_chain_rule_log_of_square(v: float) -> None:
    x = Scalar(v)
    (x * x).log().backward()
    assert x.derivative == pytest.approx(2.0 / v, rel=1e-9)


@given(small_floats)
def test_shared_input_sums_derivatives(v: float) -> None:
    x = Scalar(v)
    (x * x).backward()
    assert x.derivative == pytest.approx(2 * v, rel=1e-12, abs=1e-12)
    x2 = Scalar(v)
    (x2 + x2 + x2).backward()
    assert x2.derivative == pytest.approx(3.0)


def test_shared_input_through_two_paths() -> None:
    # z = g(x) used twice: f(z, z) = z * z + z, z = 3x, so df/dx = 2 * 9x + 3.
    x = Scalar(2.0)
    z = x * 3.0
    (z * z + z).backward()
    assert x.derivative == pytest.approx(18 * 2.0 + 3)


def test_seed_003_expression() -> None:
    # Seed 003's example: z = -y * sum([x, x, x]) * y + 10.0 * x; h = z + z.
    x = Scalar(1.0)
    y = Scalar(1.0)
    z = -y * sum([x, x, x]) * y + 10.0 * x
    h = z + z
    assert h.data == pytest.approx(14.0)
    h.backward()
    assert x.derivative == pytest.approx(2 * (-3.0 + 10.0))  # 2 * (-3y^2 + 10)
    assert y.derivative == pytest.approx(2 * (-2 * 3.0))  # 2 * (-2 * 3x * y)


def test_derivatives_accumulate_across_backward_calls() -> None:
    # The seed's train_step never zeroes gradients: a second backward adds to the first.
    x = Scalar(3.0)
    out = x * 2.0
    out.backward()
    out.backward()
    assert x.derivative == pytest.approx(4.0)


def test_backward_leaves_intermediate_values_alone() -> None:
    x = Scalar(1.5)
    mid = x * x
    out = mid.exp()
    out.backward()
    assert mid.data == pytest.approx(2.25)
    assert out.data == pytest.approx(math.exp(2.25))


# ----- A graph 100,000 operations deep -----------------------------------------------

DEPTH = 100_000


def test_100000_deep_chain_backpropagates() -> None:
    x = Scalar(0.5)
    y = x
    for _ in range(DEPTH):
        y = y + x  # x is used DEPTH + 1 times along one long chain
    assert y.data == pytest.approx(0.5 * (DEPTH + 1))
    order = minitorch.topological_sort(y)
    # DEPTH additions plus the leaf x.
    assert len(list(order)) == DEPTH + 1
    y.backward()  # a recursive implementation hits RecursionError here
    assert x.derivative == pytest.approx(DEPTH + 1)


def test_100000_deep_chain_of_unary_functions() -> None:
    x = Scalar(2.0)
    y = x
    for _ in range(DEPTH):
        y = -y
    y.backward()
    assert x.derivative == 1.0  # an even number of negations
