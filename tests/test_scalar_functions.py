"""Tests for ScalarFunction and its subclasses: every built-in function's value and
derivative against central_difference, users' own subclasses through ``apply``, random
composite expressions, and clear errors from badly written functions."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

import minitorch_lite as minitorch
from minitorch_lite import Scalar
from tests.strategies import (
    N_VARS,
    close,
    exp_floats,
    expression_inputs,
    expressions,
    float_pairs_apart,
    huge_floats,
    inv_floats,
    nonzero_floats,
    positive_floats,
    small_floats,
)


def ref_sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def ref_log_sigmoid(x: float) -> float:
    return min(x, 0.0) - math.log1p(math.exp(-abs(x)))


# (function, input strategy, reference value, reference derivative)
UNARY: list[tuple[type, st.SearchStrategy[float], Callable, Callable]] = [
    (minitorch.Neg, small_floats, lambda x: -x, lambda x: -1.0),
    (minitorch.Inv, inv_floats, lambda x: 1.0 / x, lambda x: -1.0 / (x * x)),
    (minitorch.Log, positive_floats, math.log, lambda x: 1.0 / x),
    (minitorch.Exp, exp_floats, math.exp, math.exp),
    (
        minitorch.Sigmoid,
        small_floats,
        ref_sigmoid,
        lambda x: ref_sigmoid(x) * (1 - ref_sigmoid(x)),
    ),
    (minitorch.ReLU, nonzero_floats, lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    (minitorch.LogSigmoid, small_floats, ref_log_sigmoid, lambda x: 1.0 - ref_sigmoid(x)),
]

BINARY: list[tuple[type, Callable, Callable]] = [
    (minitorch.Add, lambda x, y: x + y, lambda x, y: (1.0, 1.0)),
    (minitorch.Mul, lambda x, y: x * y, lambda x, y: (y, x)),
    (minitorch.LT, lambda x, y: 1.0 if x < y else 0.0, lambda x, y: (0.0, 0.0)),
    (minitorch.EQ, lambda x, y: 1.0 if x == y else 0.0, lambda x, y: (0.0, 0.0)),
]


def test_every_function_is_a_scalar_function() -> None:
    for fn, *_ in UNARY + BINARY:
        assert issubclass(fn, minitorch.ScalarFunction)


@pytest.mark.parametrize(
    ("fn", "values", "ref", "dref"), UNARY, ids=lambda p: getattr(p, "__name__", "")
)
@given(data=st.data())
def test_unary_function(fn, values, ref, dref, data) -> None:
    v = data.draw(values, label="x")
    x = Scalar(v)
    out = fn.apply(x)
    assert isinstance(out, Scalar)
    assert out.data == pytest.approx(ref(v), rel=1e-9, abs=1e-12)
    assert out.history.last_fn is fn
    out.backward()
    assert x.derivative == pytest.approx(dref(v), rel=1e-9, abs=1e-12)
    numerical = minitorch.central_difference(fn.apply, Scalar(v))
    assert close(x.derivative, numerical, rel=1e-4, abs_=1e-5), (x.derivative, numerical)


@pytest.mark.parametrize(("fn", "ref", "dref"), BINARY, ids=lambda p: getattr(p, "__name__", ""))
@given(pair=float_pairs_apart(gap=1e-3))
def test_binary_function(fn, ref, dref, pair) -> None:
    a, b = pair
    x, y = Scalar(a), Scalar(b)
    out = fn.apply(x, y)
    assert out.data == pytest.approx(ref(a, b), rel=1e-12, abs=1e-12)
    out.backward()
    dx, dy = dref(a, b)
    assert x.derivative == pytest.approx(dx, rel=1e-12, abs=1e-12)
    assert y.derivative == pytest.approx(dy, rel=1e-12, abs=1e-12)
    for i, autodiff in enumerate([x.derivative, y.derivative]):
        numerical = minitorch.central_difference(lambda p, q: fn.apply(p, q).data, a, b, arg=i)
        assert close(autodiff, numerical, rel=1e-4, abs_=1e-4), (i, autodiff, numerical)


@given(small_floats)
def test_eq_of_equal_inputs(v: float) -> None:
    assert minitorch.EQ.apply(Scalar(v), Scalar(v)).data == 1.0
    assert minitorch.LT.apply(Scalar(v), Scalar(v)).data == 0.0


@given(huge_floats)
def test_sigmoid_and_log_sigmoid_saturate_gracefully(v: float) -> None:
    x = Scalar(v)
    s = minitorch.Sigmoid.apply(x)
    s.backward()
    assert math.isfinite(s.data) and math.isfinite(x.derivative)
    x = Scalar(v)
    ls = minitorch.LogSigmoid.apply(x)
    ls.backward()
    assert math.isfinite(ls.data) and math.isfinite(x.derivative)
    assert ls.data == pytest.approx(min(v, 0.0), rel=1e-9, abs=1e-12)
    assert x.derivative == pytest.approx(1.0 if v < 0 else 0.0, abs=1e-12)


def test_apply_accepts_plain_numbers() -> None:
    out = minitorch.Mul.apply(2.0, 3)
    assert isinstance(out, Scalar)
    assert out.data == 6.0
    assert all(isinstance(p, Scalar) for p in out.parents)
    x = Scalar(4.0)
    out = minitorch.Add.apply(x, 1.5)
    out.backward()
    assert out.data == 5.5 and x.derivative == 1.0


# ----- Users' own functions, as in the seeds -----------------------------------------


def test_times_five(times_five) -> None:
    x = Scalar(10.0, name="x")
    z = times_five.apply(x)
    out = times_five.apply(z)
    assert z.data == 50.0 and out.data == 250.0
    assert out.history.last_fn is times_five
    out.backward()
    assert x.derivative == 25.0
    assert times_five.apply(2.0).data == 10.0


def test_add_times2(add_times2) -> None:
    x, y = Scalar(1.0), Scalar(5.0)
    out = add_times2.apply(x, y)
    assert out.data == 11.0
    out.backward()
    assert (x.derivative, y.derivative) == (1.0, 2.0)


@given(small_floats)
def test_square(square, v: float) -> None:
    x = Scalar(v)
    out = square.apply(x)
    assert out.data == pytest.approx(v * v)
    assert out.history.ctx.saved_values == (float(v),)
    out.backward()
    assert x.derivative == pytest.approx(2 * v)


@given(small_floats, small_floats)
def test_user_functions_against_central_difference(times_five, add_times2, square, a, b) -> None:
    def f(x: Scalar, y: Scalar) -> Scalar:
        return add_times2.apply(square.apply(x), times_five.apply(y)) * x

    x, y = Scalar(a), Scalar(b)
    f(x, y).backward()
    for i, autodiff in enumerate([x.derivative, y.derivative]):
        numerical = minitorch.central_difference(f, Scalar(a), Scalar(b), arg=i)
        assert close(autodiff, numerical, rel=1e-5, abs_=1e-3), (i, autodiff, numerical)


def test_user_functions_mix_with_builtin_ones(square) -> None:
    x = Scalar(3.0)
    out = square.apply(x).log() + 2.0 * x
    out.backward()
    assert x.derivative == pytest.approx(2.0 / 3.0 + 2.0)


# ----- Badly written functions: a clear error, never a silent wrong number ----------


class ForwardReturnsText(minitorch.ScalarFunction):
    @staticmethod
    def forward(ctx: minitorch.Context, x: float) -> float:
        return "abc"  # type: ignore[return-value]

    @staticmethod
    def backward(ctx: minitorch.Context, d_out: float) -> float:
        return d_out


class ForwardReturnsNone(minitorch.ScalarFunction):
    @staticmethod
    def forward(ctx: minitorch.Context, x: float) -> float:
        x * 2  # forgot the return

    @staticmethod
    def backward(ctx: minitorch.Context, d_out: float) -> float:
        return 2 * d_out


class BackwardTooFew(minitorch.ScalarFunction):
    """Two inputs, one derivative."""

    @staticmethod
    def forward(ctx: minitorch.Context, x: float, y: float) -> float:
        return x + 2 * y

    @staticmethod
    def backward(ctx: minitorch.Context, d_out: float) -> float:
        return d_out


class BackwardTooMany(minitorch.ScalarFunction):
    """One input, two derivatives."""

    @staticmethod
    def forward(ctx: minitorch.Context, x: float) -> float:
        return 5 * x

    @staticmethod
    def backward(ctx: minitorch.Context, d_out: float) -> tuple[float, float]:
        return 5 * d_out, d_out


@pytest.mark.parametrize("fn", [ForwardReturnsText, ForwardReturnsNone])
def test_forward_returning_a_non_number(fn) -> None:
    with pytest.raises((TypeError, ValueError), match=fn.__name__ + r"|forward"):
        fn.apply(Scalar(1.0))


@pytest.mark.parametrize("fn", [BackwardTooFew, BackwardTooMany])
def test_backward_with_the_wrong_number_of_derivatives(fn) -> None:
    args = [Scalar(1.0)] if fn is BackwardTooMany else [Scalar(1.0), Scalar(2.0)]
    out = fn.apply(*args)
    with pytest.raises((ValueError, TypeError), match=r"backward"):
        out.backward()


# ----- Random composite expressions --------------------------------------------------


class Reject(Exception):
    """The oracle found the expression outside the range where central difference is exact."""


MARGIN = 1e-2  # how far from a kink (relu, lt) or pole (1/x) an input must be
LIMIT = 1e4  # the largest magnitude allowed anywhere in the expression


def eval_scalar(tree: tuple, xs: list[Scalar]) -> Scalar:
    """Evaluate a tree with the library's Scalars."""
    kind = tree[0]
    if kind == "var":
        return xs[tree[1]]
    if kind == "const":
        return Scalar(tree[1])
    if kind == "unary":
        a = eval_scalar(tree[2], xs)
        return {
            "neg": lambda: -a,
            "exp": lambda: a.exp(),
            "log": lambda: (a * a + 0.5).log(),
            "sigmoid": lambda: a.sigmoid(),
            "relu": lambda: a.relu(),
            "inv": lambda: minitorch.Inv.apply(a),
            "log_sigmoid": lambda: minitorch.LogSigmoid.apply(a),
        }[tree[1]]()
    if kind == "binary":
        a, b = eval_scalar(tree[2], xs), eval_scalar(tree[3], xs)
        return {
            "add": lambda: a + b,
            "sub": lambda: a - b,
            "mul": lambda: a * b,
            "div": lambda: a / b,
            "lt": lambda: a < b,
            "gt": lambda: a > b,
            "eq": lambda: a == b,
        }[tree[1]]()
    c, a = tree[2], eval_scalar(tree[3], xs)
    return {
        "add_c": lambda: a + c,
        "c_add": lambda: c + a,
        "mul_c": lambda: a * c,
        "c_mul": lambda: c * a,
        "c_sub": lambda: c - a,
        "sub_c": lambda: a - c,
        "c_div": lambda: c / a,
        "div_c": lambda: a / c,
    }[tree[1]]()


def _pole(d: float) -> float:
    if abs(d) < MARGIN:
        raise Reject
    return d


def eval_float(tree: tuple, vals: list[float]) -> float:
    """Evaluate a tree on plain floats (the oracle), rejecting near-kink or huge cases."""
    out = _eval_float(tree, vals)
    if not abs(out) <= LIMIT:
        raise Reject
    return out


def _eval_float(tree: tuple, vals: list[float]) -> float:
    kind = tree[0]
    if kind == "var":
        return vals[tree[1]]
    if kind == "const":
        return tree[1]
    if kind == "unary":
        a = eval_float(tree[2], vals)
        name = tree[1]
        if name == "exp" and a > 20:
            raise Reject
        if name == "relu":
            _pole(a)
        return {
            "neg": lambda: -a,
            "exp": lambda: math.exp(a),
            "log": lambda: math.log(a * a + 0.5),
            "sigmoid": lambda: ref_sigmoid(a),
            "relu": lambda: max(a, 0.0),
            "inv": lambda: 1.0 / _pole(a),
            "log_sigmoid": lambda: ref_log_sigmoid(a),
        }[name]()
    if kind == "binary":
        a, b = eval_float(tree[2], vals), eval_float(tree[3], vals)
        name = tree[1]
        if name in ("lt", "gt") or (name == "eq" and a != b):
            _pole(a - b)  # near a jump, a nudge of 1e-6 could cross it
        return {
            "add": lambda: a + b,
            "sub": lambda: a - b,
            "mul": lambda: a * b,
            "div": lambda: a / _pole(b),
            "lt": lambda: 1.0 if a < b else 0.0,
            "gt": lambda: 1.0 if a > b else 0.0,
            "eq": lambda: 1.0 if a == b else 0.0,
        }[name]()
    c, a = tree[2], eval_float(tree[3], vals)
    return {
        "add_c": lambda: a + c,
        "c_add": lambda: c + a,
        "mul_c": lambda: a * c,
        "c_mul": lambda: c * a,
        "c_sub": lambda: c - a,
        "sub_c": lambda: a - c,
        "c_div": lambda: c / _pole(a),
        "div_c": lambda: a / c,
    }[tree[1]]()


def used_vars(tree: tuple) -> set[int]:
    if tree[0] == "var":
        return {tree[1]}
    if tree[0] == "const":
        return set()
    return set().union(*(used_vars(t) for t in tree[2:] if isinstance(t, tuple)))


@settings(max_examples=max(200, settings().max_examples))
@given(tree=expressions(), vals=expression_inputs)
def test_random_expressions_match_central_difference(tree: tuple, vals: list[float]) -> None:
    note(f"tree={tree!r}")
    try:
        expected = eval_float(tree, vals)
        # The oracle must also hold a little way off the point, where the
        # central difference looks.
        for i in range(N_VARS):
            for h in (-1e-5, 1e-5):
                nudged = list(vals)
                nudged[i] += h
                eval_float(tree, nudged)
    except Reject:
        assume(False)

    xs = [Scalar(v, name=f"x{i}") for i, v in enumerate(vals)]
    out = eval_scalar(tree, xs)
    assert isinstance(out, Scalar)
    assert out.data == pytest.approx(expected, rel=1e-9, abs=1e-9)

    out.backward()
    for i in range(N_VARS):
        autodiff = xs[i].derivative
        if i not in used_vars(tree):
            assert autodiff is None or autodiff == 0.0
            continue
        autodiff = 0.0 if autodiff is None else autodiff
        numerical = minitorch.central_difference(
            lambda *v: eval_scalar(tree, [Scalar(z) for z in v]), *vals, arg=i
        )
        assert close(autodiff, numerical, rel=1e-4, abs_=1e-4), (
            f"d/dx{i}: autodiff {autodiff}, central difference {numerical}"
        )
