"""Tests for ``minitorch_lite.operators``: the float building blocks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch_lite as minitorch
from minitorch_lite import operators
from tests.strategies import (
    exp_floats,
    float_lists,
    huge_floats,
    nonzero_floats,
    positive_floats,
    small_floats,
)

REQUIRED = (
    "mul id add neg lt eq max is_close sigmoid relu log exp inv log_back inv_back relu_back "
    "map zipWith reduce negList addLists sum prod"
).split()


def numeric_derivative(f, x: float, h: float = 1e-6) -> float:
    """A central difference written here, independent of the library's."""
    return (f(x + h) - f(x - h)) / (2 * h)


def test_operators_is_exported_as_a_module() -> None:
    assert minitorch.operators is operators
    assert type(operators).__name__ == "module"


@pytest.mark.parametrize("name", REQUIRED)
def test_every_operator_exists(name: str) -> None:
    assert callable(getattr(operators, name))


# ----- Basic arithmetic --------------------------------------------------------------


@given(small_floats, small_floats)
def test_mul_add_neg_id(x: float, y: float) -> None:
    assert operators.mul(x, y) == x * y
    assert operators.add(x, y) == x + y
    assert operators.neg(x) == -x
    assert operators.id(x) == x


@given(small_floats, small_floats)
def test_lt_returns_one_or_zero(x: float, y: float) -> None:
    out = operators.lt(x, y)
    assert isinstance(out, float)
    assert out == (1.0 if x < y else 0.0)


@given(small_floats, small_floats)
def test_eq_returns_one_or_zero(x: float, y: float) -> None:
    out = operators.eq(x, y)
    assert isinstance(out, float)
    assert out == (1.0 if x == y else 0.0)
    assert operators.eq(x, x) == 1.0


def test_lt_eq_concrete() -> None:
    assert operators.lt(1.0, 2.0) == 1.0
    assert operators.lt(2.0, 1.0) == 0.0
    assert operators.lt(1.0, 1.0) == 0.0
    assert operators.eq(3.0, 3.0) == 1.0
    assert operators.eq(3.0, 3.5) == 0.0


@given(small_floats, small_floats)
def test_max(x: float, y: float) -> None:
    m = operators.max(x, y)
    assert m >= x and m >= y
    assert m in (x, y)
    assert operators.max(y, x) == m


@given(small_floats)
def test_is_close(x: float) -> None:
    assert operators.is_close(x, x)
    assert operators.is_close(x, x + 1e-4)
    assert not operators.is_close(x, x + 1.0)
    assert not operators.is_close(x, x - 1.0)


# ----- sigmoid, relu, log, exp, inv --------------------------------------------------


@given(small_floats)
def test_sigmoid_matches_formula(x: float) -> None:
    assert math.isclose(operators.sigmoid(x), 1.0 / (1.0 + math.exp(-x)), rel_tol=1e-9)


@given(small_floats)
def test_sigmoid_properties(x: float) -> None:
    s = operators.sigmoid(x)
    assert 0.0 <= s <= 1.0
    # Symmetry: 1 - sigmoid(x) == sigmoid(-x).
    assert math.isclose(1.0 - s, operators.sigmoid(-x), abs_tol=1e-12)
    # Strictly increasing where float resolution allows it.
    if abs(x) < 30:
        assert operators.sigmoid(x + 1.0) > s


def test_sigmoid_at_zero() -> None:
    assert operators.sigmoid(0.0) == 0.5


@given(huge_floats)
def test_sigmoid_is_stable_for_large_inputs(x: float) -> None:
    s = operators.sigmoid(x)  # A naive 1/(1+exp(-x)) raises OverflowError for x < -710.
    assert math.isfinite(s)
    assert s == pytest.approx(1.0 if x > 0 else 0.0, abs=1e-20)


def test_sigmoid_extremes() -> None:
    assert operators.sigmoid(-1000.0) == pytest.approx(0.0, abs=1e-300)
    assert operators.sigmoid(1000.0) == 1.0
    assert operators.sigmoid(-1e308) == 0.0


@given(small_floats)
def test_relu(x: float) -> None:
    assert operators.relu(x) == (x if x > 0 else 0.0)
    assert operators.relu(x) >= 0.0


@given(positive_floats)
def test_log_and_exp(x: float) -> None:
    assert math.isclose(operators.log(x), math.log(x), rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(operators.exp(operators.log(x)), x, rel_tol=1e-12)


@given(exp_floats)
def test_exp(x: float) -> None:
    assert math.isclose(operators.exp(x), math.exp(x), rel_tol=1e-12)


@pytest.mark.parametrize("bad", [0.0, -1.0, -1e-9])
def test_log_of_non_positive_is_a_clear_error(bad: float) -> None:
    with pytest.raises(ValueError, match=r"(?i)log"):
        operators.log(bad)


@given(nonzero_floats)
def test_inv(x: float) -> None:
    assert math.isclose(operators.inv(x), 1.0 / x, rel_tol=1e-12)


def test_inv_of_zero_raises() -> None:
    with pytest.raises((ZeroDivisionError, ValueError)):
        operators.inv(0.0)


# ----- Derivative helpers ------------------------------------------------------------


@given(positive_floats, small_floats)
def test_log_back(x: float, d: float) -> None:
    assert math.isclose(operators.log_back(x, d), d / x, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(operators.log_back(x, 1.0), numeric_derivative(math.log, x), rel_tol=1e-4)


@given(st.one_of(st.floats(-10, -0.1), st.floats(0.1, 10)), small_floats)
def test_inv_back(x: float, d: float) -> None:
    assert math.isclose(operators.inv_back(x, d), -d / (x * x), rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(
        operators.inv_back(x, 1.0), numeric_derivative(lambda v: 1.0 / v, x), rel_tol=1e-4
    )


@given(nonzero_floats, small_floats)
def test_relu_back(x: float, d: float) -> None:
    assert operators.relu_back(x, d) == (d if x > 0 else 0.0)
    assert math.isclose(
        operators.relu_back(x, 1.0), numeric_derivative(operators.relu, x, h=1e-5), abs_tol=1e-6
    )


# ----- Higher-order functions --------------------------------------------------------


@given(float_lists)
def test_map(ls: list[float]) -> None:
    assert list(operators.map(operators.neg)(ls)) == [-x for x in ls]
    assert list(operators.map(lambda x: 2 * x)(ls)) == [2 * x for x in ls]
    assert list(operators.negList(ls)) == [-x for x in ls]


@given(float_lists, float_lists)
def test_zipwith_and_addlists(a: list[float], b: list[float]) -> None:
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    assert list(operators.zipWith(operators.mul)(a, b)) == [
        x * y for x, y in zip(a, b, strict=True)
    ]
    assert list(operators.addLists(a, b)) == [x + y for x, y in zip(a, b, strict=True)]


@given(float_lists, float_lists)
def test_sum_distributes_over_addlists(a: list[float], b: list[float]) -> None:
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    assert math.isclose(
        operators.sum(operators.addLists(a, b)),
        operators.sum(a) + operators.sum(b),
        abs_tol=1e-9,
    )


@given(float_lists)
def test_sum(ls: list[float]) -> None:
    assert math.isclose(operators.sum(ls), math.fsum(ls), abs_tol=1e-9)


@given(st.lists(st.floats(-3, 3), max_size=8))
def test_prod(ls: list[float]) -> None:
    assert math.isclose(operators.prod(ls), math.prod(ls), rel_tol=1e-9, abs_tol=1e-12)


def test_empty_sum_and_prod() -> None:
    assert operators.sum([]) == 0.0
    assert operators.prod([]) == 1.0


def test_reduce_is_a_left_fold() -> None:
    # Subtraction is not associative, so the fold order shows.
    assert operators.reduce(lambda acc, x: acc - x, 10.0)([1.0, 2.0, 3.0]) == 4.0
    assert operators.reduce(operators.add, 5.0)([]) == 5.0
    assert operators.reduce(operators.mul, 1.0)([2.0, 3.0, 4.0]) == 24.0


def test_concrete_list_helpers() -> None:
    assert operators.sum([1.0, 2.0, 3.0]) == 6.0
    assert operators.prod([1.0, 2.0, 3.0, 4.0]) == 24.0
    assert list(operators.addLists([1.0, 2.0], [10.0, 20.0])) == [11.0, 22.0]
    assert list(operators.negList([1.0, -2.0])) == [-1.0, 2.0]
