"""Tests for ``Scalar``: construction, operators (reflected forms too), repr, hashing,
the graph API, ScalarHistory's repr, and clear errors for bad input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given

import minitorch_lite as minitorch
from minitorch_lite import Scalar
from tests.strategies import inv_floats, positive_floats, small_floats

# ----- Construction and repr ---------------------------------------------------------


def test_data_is_a_float() -> None:
    x = Scalar(10)
    assert isinstance(x.data, float)
    assert x.data == 10.0
    assert Scalar(2.5).data == 2.5


def test_new_scalar_is_a_leaf_without_derivative() -> None:
    x = Scalar(1.0)
    assert x.derivative is None
    assert x.is_leaf()
    assert not x.is_constant()
    assert isinstance(x.history, minitorch.ScalarHistory)
    assert x.history.last_fn is None
    assert list(x.parents) == []


def test_constructor_keywords() -> None:
    x = Scalar(1.5, back=minitorch.ScalarHistory(), name="w")
    assert (x.data, x.name) == (1.5, "w")
    assert x.is_leaf()


def test_name() -> None:
    assert Scalar(1.0, name="x_1").name == "x_1"
    x = Scalar(1.0)
    x.name = "x_1"  # the seeds' style
    assert x.name == "x_1"


def test_unique_ids_differ() -> None:
    ids = {Scalar(1.0).unique_id for _ in range(100)}
    assert len(ids) == 100


@pytest.mark.parametrize(
    ("value", "text"),
    [(10, "Scalar(10.0)"), (10.0, "Scalar(10.0)"), (0.0, "Scalar(0.0)"), (-2.5, "Scalar(-2.5)")],
)
def test_repr(value: float, text: str) -> None:
    assert repr(Scalar(value)) == text


@given(small_floats)
def test_repr_round_trips(v: float) -> None:
    assert repr(Scalar(v)) == f"Scalar({float(v)!r})"


# ----- Arithmetic and comparison -----------------------------------------------------


@given(small_floats, small_floats)
def test_binary_operators(a: float, b: float) -> None:
    x, y = Scalar(a), Scalar(b)
    for out, expected in [
        (x + y, a + b),
        (x - y, a - b),
        (x * y, a * b),
        (-x, -a),
        (x < y, 1.0 if a < b else 0.0),
        (x > y, 1.0 if a > b else 0.0),
        (x == y, 1.0 if a == b else 0.0),
    ]:
        assert isinstance(out, Scalar)
        assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(small_floats, inv_floats)
def test_division(a: float, b: float) -> None:
    assert (Scalar(a) / Scalar(b)).data == pytest.approx(a / b, rel=1e-12, abs=1e-12)
    assert (Scalar(a) / b).data == pytest.approx(a / b, rel=1e-12, abs=1e-12)
    assert (a / Scalar(b)).data == pytest.approx(a / b, rel=1e-12, abs=1e-12)


@given(small_floats, small_floats)
def test_operators_with_plain_numbers_on_either_side(a: float, c: float) -> None:
    x = Scalar(a)
    for out, expected in [
        (x + c, a + c),
        (c + x, c + a),
        (x - c, a - c),
        (c - x, c - a),
        (x * c, a * c),
        (c * x, c * a),
        (x < c, 1.0 if a < c else 0.0),
        (c < x, 1.0 if c < a else 0.0),
        (x > c, 1.0 if a > c else 0.0),
        (c > x, 1.0 if c > a else 0.0),
        (x == c, 1.0 if a == c else 0.0),
    ]:
        assert isinstance(out, Scalar)
        assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_int_operands() -> None:
    x = Scalar(3.0)
    assert (x * 2).data == 6.0
    assert (2 * x).data == 6.0
    assert (1 - x).data == -2.0


@given(small_floats)
def test_reflected_forms_are_differentiable(a: float) -> None:
    x = Scalar(a)
    (2.0 * x).backward()
    assert x.derivative == pytest.approx(2.0)
    x = Scalar(a)
    (1.0 - x).backward()
    assert x.derivative == pytest.approx(-1.0)
    x = Scalar(a)
    (5.0 + x).backward()
    assert x.derivative == pytest.approx(1.0)


@given(inv_floats)
def test_reflected_division_derivative(a: float) -> None:
    x = Scalar(a)
    (2.0 / x).backward()
    assert x.derivative == pytest.approx(-2.0 / (a * a), rel=1e-9)


def test_python_sum_of_scalars() -> None:
    # builtin sum starts from 0, so it needs 0 + Scalar (the reflected add).
    xs = [Scalar(1.0), Scalar(2.0), Scalar(3.5)]
    total = sum(xs)
    assert isinstance(total, Scalar)
    assert total.data == 6.5


@given(small_floats)
def test_methods(a: float) -> None:
    x = Scalar(a)
    assert x.sigmoid().data == pytest.approx(1.0 / (1.0 + math.exp(-a)), rel=1e-12)
    assert x.relu().data == (a if a > 0 else 0.0)
    if a < 50:
        assert x.exp().data == pytest.approx(math.exp(a), rel=1e-12)


@given(positive_floats)
def test_log_method(a: float) -> None:
    assert Scalar(a).log().data == pytest.approx(math.log(a), rel=1e-12, abs=1e-15)


def test_bool() -> None:
    assert not Scalar(0.0)
    assert Scalar(2.0)
    assert Scalar(-1.0)
    x, y = Scalar(1.0), Scalar(2.0)
    assert bool(x < y) is True
    assert bool(x > y) is False


def test_hashable_by_identity_although_eq_is_overloaded() -> None:
    a, b = Scalar(1.0), Scalar(1.0)
    assert isinstance(a == b, Scalar)  # == builds a graph node...
    d = {a: "a", b: "b"}  # ...yet Scalars still work as dict keys,
    assert len(d) == 2  # and equal values do not collide.
    assert d[a] == "a" and d[b] == "b"
    assert a in {a} and len({a, b, a}) == 2
    assert hash(a) == hash(a)


# ----- The graph API -----------------------------------------------------------------


def test_result_of_an_operation_is_not_a_leaf() -> None:
    x, y = Scalar(2.0), Scalar(3.0)
    z = x * y
    assert not z.is_leaf()
    assert not z.is_constant()
    assert z.history.last_fn is minitorch.Mul
    assert [p.unique_id for p in z.parents] == [x.unique_id, y.unique_id]


def test_chain_rule_returns_each_input_with_its_derivative() -> None:
    x, y = Scalar(2.0), Scalar(3.0)
    z = x * y
    pairs = list(z.chain_rule(1.0))
    assert len(pairs) == 2
    (v0, d0), (v1, d1) = pairs
    assert v0 is x and d0 == pytest.approx(3.0)
    assert v1 is y and d1 == pytest.approx(2.0)
    pairs = list(z.chain_rule(2.0))
    assert [d for _, d in pairs] == pytest.approx([6.0, 4.0])


def test_accumulate_derivative_sums() -> None:
    x = Scalar(1.0)
    x.accumulate_derivative(2.0)
    x.accumulate_derivative(3.0)
    assert x.derivative == 5.0


def test_constants_get_no_derivative() -> None:
    x = Scalar(2.0)
    c = Scalar(7.0, None)
    assert c.is_constant()
    out = x * c
    out.backward()
    assert x.derivative == pytest.approx(7.0)
    assert c.derivative is None


# ----- Context and ScalarHistory -----------------------------------------------------


def test_context_saves_a_tuple() -> None:
    ctx = minitorch.Context()
    assert ctx.no_grad is False
    assert ctx.saved_values == ()
    ctx.save_for_backward(3.0)
    assert ctx.saved_values == (3.0,)
    ctx.save_for_backward(1.0, 2.0)
    assert ctx.saved_values == (1.0, 2.0)
    assert minitorch.Context(no_grad=False, saved_values=(1.0,)).saved_values == (1.0,)


def test_scalar_history_fields() -> None:
    h = minitorch.ScalarHistory()
    assert h.last_fn is None and h.ctx is None and list(h.inputs) == []
    x = Scalar(1.0)
    h = minitorch.ScalarHistory(last_fn=minitorch.Neg, ctx=minitorch.Context(), inputs=(x,))
    assert h.last_fn is minitorch.Neg and list(h.inputs) == [x]


def test_history_is_a_plain_attribute_made_once_by_apply() -> None:
    x, y = Scalar(2.0), Scalar(3.0)
    z = x * y
    assert z.history is z.history
    assert z.history == minitorch.ScalarHistory(minitorch.Mul, z.history.ctx, [x, y])
    assert z.history != minitorch.ScalarHistory(minitorch.Mul, z.history.ctx, [y, x])
    assert z.history != minitorch.ScalarHistory(minitorch.Add, z.history.ctx, [x, y])
    # Another Scalar with the same value is another input: inputs compare by identity.
    assert z.history != minitorch.ScalarHistory(minitorch.Mul, z.history.ctx, [Scalar(2.0), y])
    assert minitorch.ScalarHistory() == x.history
    again = (x * y).history  # a new record and context, holding the same things:
    assert again is not z.history and again.ctx is not z.history.ctx
    assert again == z.history
    with pytest.raises(AttributeError):  # a record never changes: no silent no-op
        z.history.last_fn = minitorch.Add  # type: ignore[misc]


def test_history_can_be_replaced() -> None:
    x = Scalar(1.0)
    x.history = None
    assert x.is_constant()
    x.history = minitorch.ScalarHistory()
    assert x.is_leaf()


def test_name_and_unique_id_are_plain_attributes() -> None:
    x = Scalar(1.0)
    assert x.name is None  # no label unless one is given
    assert "name" in Scalar.__slots__ and "unique_id" in Scalar.__slots__
    assert Scalar(1.0).unique_id > x.unique_id


def test_requires_grad() -> None:
    c = Scalar(1.0, None)
    c.requires_grad_(True)
    assert c.is_leaf()
    c.requires_grad_(False)
    assert c.is_constant()
    z = Scalar(1.0) * Scalar(2.0)
    z.requires_grad_(True)  # already tracked: keeps its history
    assert z.history.last_fn is minitorch.Mul
    with pytest.raises(ValueError, match="Mul"):
        z.requires_grad_(False)


def test_apply_wraps_plain_numbers_as_leaves_and_constants_stay_constant() -> None:
    out = minitorch.Add.apply(2.0, 3)
    assert out.data == 5.0 and [p.is_leaf() for p in out.parents] == [True, True]
    c = minitorch.Mul.apply(Scalar(2.0, None), Scalar(3.0, None))
    assert c.is_constant() and c.data == 6.0


# Seed 002, verbatim, with the seed's bug fixed (saved_values is a tuple).
SEED_002 = """
import minitorch_lite as minitorch
from minitorch_lite import Context, ScalarFunction


class Square(ScalarFunction):
    @staticmethod
    def forward(ctx: Context, x: float) -> float:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Context, d_out: float) -> float:
        (x,) = ctx.saved_values
        f_prime = 2 * x
        return f_prime * d_out


x = minitorch.Scalar(10)
x_2 = Square.apply(x)
"""

SEED_002_OUTPUT = (
    "ScalarHistory(last_fn=<class '__main__.Square'>, "
    "ctx=Context(no_grad=False, saved_values=(10.0,)), inputs=[Scalar(10.0)])"
)


def test_history_repr_exactly_as_seed_002() -> None:
    namespace: dict = {"__name__": "__main__"}  # as in a notebook
    exec(compile(SEED_002, "<seed 002>", "exec"), namespace)
    assert repr(namespace["x_2"].history) == SEED_002_OUTPUT
    assert namespace["x_2"].data == 100.0
    namespace["x_2"].backward()
    assert namespace["x"].derivative == 20.0


# ----- Bad input: a clear error that names the problem -------------------------------


def test_scalar_of_a_string() -> None:
    with pytest.raises((TypeError, ValueError), match=r"'abc'"):
        Scalar("abc")


def test_scalar_of_none() -> None:
    with pytest.raises((TypeError, ValueError), match=r"None"):
        Scalar(None)


def test_scalar_of_a_list() -> None:
    with pytest.raises((TypeError, ValueError), match=r"list|\[1\.0\]"):
        Scalar([1.0])


def test_arithmetic_with_a_string() -> None:
    with pytest.raises((TypeError, ValueError), match=r"'abc'"):
        Scalar(1.0) + "abc"


def test_accumulate_derivative_on_a_non_leaf() -> None:
    z = Scalar(1.0) * Scalar(2.0)
    with pytest.raises((ValueError, TypeError), match=r"(?i)leaf"):
        z.accumulate_derivative(1.0)
    assert z.derivative is None


@pytest.mark.parametrize("bad", [0.0, -1.0, -1e-12])
def test_log_of_non_positive(bad: float) -> None:
    with pytest.raises(ValueError, match=r"(?i)log"):
        Scalar(bad).log()


def test_log_of_non_positive_result() -> None:
    x = Scalar(1.0)
    with pytest.raises(ValueError, match=r"(?i)log"):
        (x - x).log()
