"""Tests for minitorch_lite/compile.py: the replay gives the engine's floats, bit for bit."""

from __future__ import annotations

import math
import struct
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch_lite as minitorch
from minitorch_lite import MLP, Scalar, bce_loss, train
from minitorch_lite.autodiff import Context
from minitorch_lite.compile import NAMESPACE, TEMPLATES, TracingError, compile
from minitorch_lite.datasets import xor

from .strategies import small_floats


def bits(x: float) -> bytes:
    """The float's bytes: equal bits, not just ==."""
    return struct.pack("<d", x)


def engine(f: Callable[..., Scalar], *xs: float) -> tuple[float, tuple[float, ...]]:
    leaves = [Scalar(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, tuple(0.0 if v.derivative is None else v.derivative for v in leaves)


@pytest.mark.parametrize("fn", list(TEMPLATES), ids=lambda fn: fn.__name__)
@given(st.floats(-50.0, 50.0), st.floats(-50.0, 50.0), small_floats)
def test_each_template_is_its_function(fn: type, a: float, b: float, d: float) -> None:
    n = len(TEMPLATES[fn].backward)
    args = (a, b)[:n]
    if fn.__name__ in ("Log", "Inv") and abs(a) < 1e-100 or fn.__name__ == "Log" and a < 0.0:
        return
    ctx = Context()
    out = fn.forward(ctx, *args)
    back = fn.backward(ctx, d)
    back = back if isinstance(back, tuple) else (back,)
    env = dict(NAMESPACE, a=a, b=b, out=out, d=d)
    names = dict(a="a", b="b", out="out", d="d")
    assert bits(eval(TEMPLATES[fn].forward.format(**names), env)) == bits(out)  # noqa: S307
    for expr, want in zip(TEMPLATES[fn].backward, back, strict=True):
        assert bits(eval(expr.format(**names), env)) == bits(float(want))  # noqa: S307


def test_every_scalar_function_has_a_template() -> None:
    classes = {
        v
        for v in vars(minitorch).values()
        if isinstance(v, type) and issubclass(v, minitorch.ScalarFunction)
    }
    assert classes - {minitorch.ScalarFunction} == set(TEMPLATES)


# ----- random expressions ---------------------------------------------------------------
UNARY = ["relu", "sigmoid", "log_sigmoid", "neg", "exp", "logabs", "inv"]
BINARY = ["add", "sub", "mul", "div", "lt", "eq"]


@st.composite
def programs(draw: st.DrawFn) -> tuple[int, list[tuple[str, int, int, float]]]:
    n = draw(st.integers(1, 4))
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(UNARY + BINARY + ["const"]),
                st.integers(0, 1000),
                st.integers(0, 1000),
                st.floats(-3.0, 3.0),
            ),
            min_size=1,
            max_size=25,
        )
    )
    return n, steps


def build(steps: list[tuple[str, int, int, float]]) -> Callable[..., Scalar]:
    def f(*xs: Scalar) -> Scalar:
        vals: list[Scalar] = list(xs)
        for op, i, j, c in steps:
            a, b = vals[i % len(vals)], vals[j % len(vals)]
            if op == "const":
                r = a * c + 1.5
            elif op == "relu":
                r = a.relu()
            elif op == "sigmoid":
                r = a.sigmoid()
            elif op == "log_sigmoid":
                r = a.log_sigmoid()
            elif op == "neg":
                r = -a
            elif op == "exp":
                r = (a.sigmoid() * 4.0).exp()
            elif op == "logabs":
                r = (a * a + 0.5).log()
            elif op == "inv":
                r = 1.0 / (a.sigmoid() + 0.25)
            elif op == "add":
                r = a + b
            elif op == "sub":
                r = a - b
            elif op == "mul":
                r = (a * b).sigmoid()  # keep values moderate
            elif op == "div":
                r = a / (b.sigmoid() + 0.5)
            elif op == "lt":
                r = (a < b) * a
            else:
                r = (a == b) + a
            vals.append(r)
        return vals[-1]

    return f


@settings(max_examples=150, deadline=None)
@given(programs(), st.lists(st.floats(-3.0, 3.0), min_size=4, max_size=4))
def test_random_expressions_match_the_engine_bitwise(
    program: tuple[int, list[tuple[str, int, int, float]]], xs: list[float]
) -> None:
    n, steps = program
    f = build(steps)
    c = compile(f, n)
    value, grads = c(*xs[:n])
    want_value, want_grads = engine(f, *xs[:n])
    assert bits(value) == bits(want_value)
    assert [bits(g) for g in grads] == [bits(g) for g in want_grads]


def test_mlp_loss_matches_the_engine_bitwise() -> None:
    model = MLP(6, seed=2)
    params = [p.value for p in model.parameters()]
    data = xor(12)

    def loss(*ws: Scalar) -> Scalar:
        for p, w in zip(model.parameters(), ws, strict=True):
            p.value = w
        total: Scalar | float = 0.0
        for x, y in zip(data.X, data.y, strict=True):
            total = bce_loss(model(x), y) + total
        return total / data.N

    c = compile(loss, len(params))
    start = [v.data for v in params]
    value, grads = c(*start)
    want_value, want_grads = engine(loss, *start)
    assert bits(value) == bits(want_value)
    assert [bits(g) for g in grads] == [bits(g) for g in want_grads]


def test_source_is_one_line_per_node() -> None:
    c = compile(lambda x, y: x * y + x, 2)
    assert c.source.splitlines()[2:4] == ["    v2 = v0 * v1", "    v3 = v2 + v0"]
    assert "# backward" in c.source
    assert c(2.0, 5.0) == (12.0, (6.0, 2.0))


def test_unused_input_gets_zero_and_identity_works() -> None:
    assert compile(lambda x, y: x * 3.0, 2)(2.0, 7.0) == (6.0, (3.0, 0.0))
    assert compile(lambda x: x, 1)(4.0) == (4.0, (1.0,))


def test_branch_on_a_comparison_is_refused() -> None:
    def f(x: Scalar) -> Scalar:
        return x if x < 0.0 else -x

    with pytest.raises(TracingError, match="one path.*LT"):
        compile(f, 1)


def test_reading_data_is_refused() -> None:
    with pytest.raises(TracingError, match="depends on the input values.*constant"):
        compile(lambda x: x * x.data, 1)
    with pytest.raises(TracingError, match="one path"):
        compile(lambda x: x * math.sqrt(x), 1)  # float(x)


def test_bad_inputs_and_results() -> None:
    c = compile(lambda x, y: x + y, 2)
    with pytest.raises(TypeError, match="takes 2 input"):
        c(1.0)
    with pytest.raises(TypeError, match="returns a Scalar, got float"):
        compile(lambda x: 3.0, 1)  # type: ignore[arg-type, return-value]
    with pytest.raises(ValueError, match="n_inputs"):
        compile(lambda x: x, -1)


@pytest.mark.parametrize("make", [lambda: MLP(5, seed=1), minitorch.Network])
def test_compiled_training_gives_the_engines_losses(make: Callable[[], minitorch.Module]) -> None:
    data = xor(20)
    seen: list[float] = []
    engine_log = train(make(), data, max_epochs=15)
    fast_log = train(
        make(), data, max_epochs=15, compiled=True, callback=lambda e, loss, a: seen.append(loss)
    )
    assert [bits(e.loss) for e in fast_log] == [bits(e.loss) for e in engine_log]
    assert fast_log == engine_log
    assert seen == [e.loss for e in engine_log]
    assert engine_log[-1].loss < engine_log[0].loss


def test_a_conditional_derivative_is_summed_whole() -> None:
    # ReLU's backward is `d if a > 0.0 else 0.0`; added to a sum it needs its parentheses.
    f = compile(lambda x: x + x.relu(), 1)
    assert f(0.0) == engine(lambda x: x + x.relu(), 0.0) == (0.0, (1.0,))


def test_training_reuses_the_code_of_an_identical_graph() -> None:
    import importlib

    from minitorch_lite.nn import compiled_step

    compile_module = importlib.import_module("minitorch_lite.compile")  # not the function

    compile_module._REUSE.clear()
    data = xor(12)
    first, second = MLP(3, seed=0), MLP(3, seed=1)  # other weights, same graph
    compiled_step(first, data)
    (key, (source, fn)), *_ = compile_module._REUSE.items()
    compiled_step(second, data)
    assert list(compile_module._REUSE) == [key]  # nothing generated the second time
    # Other points are other constants: a graph of its own.
    compiled_step(MLP(3, seed=0), xor(12, seed=1))
    assert len(compile_module._REUSE) == 2
    # A zero's sign is part of the graph: 0.0 and -0.0 are different code.
    w = [Scalar(1.0)]
    compile_module.trace(lambda: w[0] * 0.0, w, lambda v: None, reuse=True)
    compile_module.trace(lambda: w[0] * -0.0, w, lambda v: None, reuse=True)
    assert len(compile_module._REUSE) == 4
    # Reused code still gives the engine's floats, and old entries make room for new ones.
    engine_log = train(MLP(3, seed=1), data, max_epochs=5)
    assert train(MLP(3, seed=1), data, max_epochs=5, compiled=True) == engine_log
    lines = sum(src.count("\n") for src, _ in compile_module._REUSE.values())
    saved = compile_module.REUSE_LINES
    compile_module.REUSE_LINES = lines + 1
    try:
        compiled_step(MLP(3, seed=0), xor(12, seed=2))  # one graph too many: the oldest goes
        kept = compile_module._REUSE
        assert key not in kept and 1 <= len(kept) <= 4
        assert sum(src.count("\n") for src, _ in kept.values()) <= lines + 1
    finally:
        compile_module.REUSE_LINES = saved
