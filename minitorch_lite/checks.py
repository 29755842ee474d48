"""Checkers for the exercises where the reader writes a piece of the library.

Each ``check_*`` runs the reader's code on several cases against the library, prints one
line per case (``passed``, or what was expected and what came back) and raises
:class:`AssertionError` with a plain-language hint at the first failure. A mistake in the
reader's code never crashes a checker: an exception it raises becomes a verdict with a
hint. Pure Python, like the rest of the core, so the checks run in the page too.
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .autodiff import backpropagate, central_difference, topological_sort
from .module import Module
from .optim import SGD
from .scalar import Scalar
from .scalar_functions import ScalarFunction


class _Case:
    """One case of a check: its name, and what the reader's code must do."""

    def __init__(self, name: str, run: Callable[[], str | None], hint: str) -> None:
        self.name = name
        self.run = run  # returns None when passed, else what went wrong
        self.hint = hint


def _judge(title: str, cases: Sequence[_Case]) -> None:
    """Run the cases in order: print a line each, stop with a hint at the first failure."""
    print(f"checking {title}")
    for number, case in enumerate(cases, start=1):
        try:
            problem = case.run()
        except RecursionError:
            problem = "RecursionError: maximum recursion depth exceeded"
            hint = (
                "Python allows about "
                f"{sys.getrecursionlimit()} nested calls, and a recursive walk makes one "
                "per node of a long chain. Walk the graph with a list as a stack instead."
            )
        except Exception as error:  # the reader's code raised: that is a verdict too
            problem = f"your code raised {type(error).__name__}: {error}"
            hint = case.hint
        else:
            hint = case.hint
        if problem is None:
            print(f"  {number}. {case.name}: passed")
            continue
        print(f"  {number}. {case.name}: FAILED, {problem}")
        raise AssertionError(f"{case.name}: {problem}\nHint: {hint}")
    print(f"all {len(cases)} cases passed")


def _differ(expected: float, got: Any, tolerance: float) -> str | None:
    """None if ``got`` is a number within ``tolerance`` of ``expected`` (relative)."""
    if isinstance(got, bool) or not isinstance(got, int | float):
        return f"expected the number {expected!r}, got {got!r}"
    if not math.isclose(got, expected, rel_tol=tolerance, abs_tol=tolerance):
        return f"expected {expected!r}, got {got!r}"
    return None


# ----- Part 1: the central difference ------------------------------------------------


def check_central_difference(fn: Callable[..., float]) -> None:
    """``fn(f, *vals, arg=0, epsilon=1e-6)``, the library's
    :func:`~minitorch_lite.central_difference`, on functions of floats.

    The cases use large steps (ε up to 0.1), where a *forward* difference
    ``(f(x + ε) - f(x)) / ε`` is off by about ``ε f''(x) / 2`` and fails, while the
    central difference is off by only about ``ε² f'''(x) / 6``.
    """

    def case(f: Callable[..., float], vals: tuple[float, ...], arg: int, eps: float) -> _Case:
        def run() -> str | None:
            expected = central_difference(f, *vals, arg=arg, epsilon=eps)
            return _differ(expected, fn(f, *vals, arg=arg, epsilon=eps), 1e-9)

        name = f"{f.__name__} at {vals}, arg={arg}, epsilon={eps}"
        hint = (
            "nudge only argument `arg`, by epsilon both ways: "
            "(f(..., x + epsilon, ...) - f(..., x - epsilon, ...)) / (2 * epsilon)"
        )
        return _Case(name, run, hint)

    def cube(x: float) -> float:
        return x * x * x

    def product(x: float, y: float) -> float:
        return x * x * y

    _judge(
        "central_difference",
        [
            case(cube, (2.0,), 0, 1e-6),
            case(math.exp, (1.0,), 0, 0.1),
            case(product, (2.0, 3.0), 0, 0.1),
            case(product, (2.0, 3.0), 1, 0.1),
            case(math.sin, (0.5,), 0, 0.05),
        ],
    )


# ----- Part 2: a ScalarFunction, topological_sort, backpropagate ----------------------


def check_scalar_function(
    cls: type[ScalarFunction], points: Sequence[Sequence[float]] | None = None
) -> None:
    """A reader's :class:`~minitorch_lite.ScalarFunction` subclass: at every point, its
    ``backward`` must match central differences of its own ``forward``.

    ``points`` default to a few positive values (safe for ``Div``, ``Pow`` and ``Log``),
    one per argument of ``forward``.
    """
    if not (isinstance(cls, type) and issubclass(cls, ScalarFunction)):
        raise TypeError(f"check_scalar_function needs a ScalarFunction subclass, got {cls!r}")
    n_inputs = len(inspect.signature(cls.forward).parameters) - 1  # minus ctx
    if points is None:
        values = (0.5, 1.3, 2.0, 3.7)
        points = [tuple(values[(i + k) % 4] for k in range(n_inputs)) for i in range(4)]

    def case(point: Sequence[float]) -> _Case:
        def run() -> str | None:
            xs = [Scalar(v) for v in point]
            out = cls.apply(*xs)
            if not isinstance(out, Scalar):
                return f"apply returned {out!r}, not a Scalar"
            out.backward()
            for i, x in enumerate(xs):
                numerical = central_difference(
                    lambda *v: cls.apply(*v).data, *point, arg=i, epsilon=1e-6
                )
                got = 0.0 if x.derivative is None else x.derivative
                problem = _differ(numerical, got, 1e-4)
                if problem:
                    return f"derivative for argument {i}: {problem} (central difference)"
            return None

        hint = (
            f"forward(ctx, ...) returns {cls.__name__}'s value as a float and saves in ctx "
            "what backward needs; backward(ctx, d_output) returns one number per input, "
            "each the partial derivative times d_output."
        )
        return _Case(f"{cls.__name__} at {tuple(point)}", run, hint)

    _judge(f"{cls.__name__}: backward against central differences", [case(p) for p in points])


def _expression(x: Scalar, y: Scalar) -> Scalar:
    """Part 2's ``expression``: a value used several times, a constant, a leaf 10."""
    z = -y * sum([x, x, x]) * y + 10.0 * x
    return z + z


def _graphs() -> Iterator[tuple[str, Scalar, list[Scalar]]]:
    """(name, output, leaves) of the graphs the graph checks use."""
    x, y = Scalar(1.5, name="x"), Scalar(-2.0, name="y")
    yield "Part 2's expression(x, y)", _expression(x, y), [x, y]
    x = Scalar(3.0, name="x")
    yield "a value used twice: x * x + x", x * x + x, [x]
    x = Scalar(1.0, name="x")
    out = x
    for _ in range(30):
        out = out + out
    yield "the doubling graph: 30 times out = out + out", out, [x]


@functools.cache
def _deep_chain(n: int = 100_000) -> Scalar:
    """``x + 1 + 1 + ...``, ``n`` additions deep. Made once and kept for the life of the
    process: in the browser's Python (Pyodide) freeing a chain more than a few hundred
    Scalars deep overflows its small C stack and kills the interpreter."""
    x = Scalar(0.5, name="x")
    out = x
    for _ in range(n):
        out = out + 1.0
    return out


def _order_problem(order: Any, out: Scalar) -> str | None:
    """What is wrong with ``order`` as a topological order of ``out``'s graph, or None."""
    if not isinstance(order, list | tuple):
        return f"expected a list of Scalars, got {type(order).__name__}"
    expected = topological_sort(out)
    if len(order) != len(expected) or {id(v) for v in order} != {id(v) for v in expected}:
        return (
            f"expected the {len(expected)} non-constant nodes of the graph (each once), got "
            f"{len(order)} items"
        )
    position = {id(v): i for i, v in enumerate(order)}
    for node in order:
        for parent in node.parents:
            if id(parent) in position and position[id(parent)] < position[id(node)]:
                return (
                    f"{parent!r} comes before {node!r}, which was computed from it: "
                    "every node must come before the nodes it was computed from"
                )
    return None


def check_topological_sort(fn: Callable[[Scalar], Sequence[Scalar]]) -> None:
    """``fn(variable)`` returns the non-constant nodes of ``variable``'s graph, each once,
    every node before the nodes it was computed from (the output first).

    The last case is a chain 100,000 operations deep: a recursive walk exceeds Python's
    recursion limit there.
    """
    cases = []
    for name, out, _ in _graphs():
        cases.append(
            _Case(
                name,
                lambda out=out: _order_problem(fn(out), out),
                "visit each node once (remember the ones you have seen); place a node only "
                "after every node that uses it, then its parents.",
            )
        )
    deep = _deep_chain()
    cases.append(
        _Case(
            "a chain 100,000 operations deep",
            lambda: _order_problem(fn(deep), deep),
            "a chain this deep needs a loop with an explicit stack, not recursion.",
        )
    )
    _judge("topological_sort", cases)


def check_backpropagate(fn: Callable[[Scalar, float], None]) -> None:
    """``fn(variable, deriv)`` fills ``.derivative`` of every leaf ``variable`` depends on,
    as the library's :func:`~minitorch_lite.backpropagate` does."""

    def case(name: str, out: Scalar, leaves: list[Scalar], deriv: float) -> _Case:
        def run() -> str | None:
            for leaf in leaves:
                leaf.derivative = None
            backpropagate(out, deriv)
            expected = [leaf.derivative for leaf in leaves]
            for leaf in leaves:
                leaf.derivative = None
            fn(out, deriv)
            for leaf, want in zip(leaves, expected, strict=True):
                got = leaf.derivative
                if got is None:
                    return f"{leaf.name}.derivative is still None; expected {want!r}"
                problem = _differ(want, got, 1e-9)
                if problem:
                    return f"d out / d {leaf.name}: {problem}"
            return None

        hint = (
            "walk the nodes in topological order; add each node's share to a running sum "
            "per node (a value used twice gets two shares), and pass the sum on only when "
            "the node comes up; leaves accumulate_derivative."
        )
        return _Case(f"{name}, deriv={deriv}", run, hint)

    _judge(
        "backpropagate",
        [
            case(name, out, leaves, d)
            for (name, out, leaves), d in zip(_graphs(), (1.0, 2.0, 1.0), strict=True)
        ],
    )


# ----- Part 3: one training step -------------------------------------------------------


def check_train_step(fn: Callable[[SGD, Module, Any], float]) -> None:
    """``fn(optim, model, data)``: one step of full-batch gradient descent on the mean
    binary cross-entropy (zero the derivatives, forward, backward, step), returning the
    loss as a float, exactly as Part 3's ``train_step``."""
    from .datasets import datasets  # noqa: PLC0415 (only this check needs the datasets)
    from .nn import LinearModel, train  # noqa: PLC0415

    def case(name: str, steps: int, lr: float) -> _Case:
        def run() -> str | None:
            data = datasets[name](20, seed=3)
            ours, theirs = LinearModel(), LinearModel()
            theirs_optim = SGD(theirs.parameters(), lr)
            for step in range(1, steps + 1):
                # The library's loop, one epoch at a time: the same step, float for float.
                want = train(ours, data, lr, max_epochs=1)[0].loss
                got = fn(theirs_optim, theirs, data)
                problem = _differ(want, got, 1e-9)
                if problem:
                    return f"step {step}, the returned loss: {problem}"
                for (pname, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
                    problem = _differ(p.value.data, q.value.data, 1e-9)
                    if problem:
                        return f"after step {step}, parameter {pname}: {problem}"
            return None

        hint = (
            "zero the derivatives first (optim.zero_grad()), then the mean of bce_loss over "
            "all points, loss.backward(), optim.step(); return loss.data."
        )
        steps_text = f"{steps} step" + ("s" if steps > 1 else "")
        return _Case(f"{steps_text} on {name}, learning rate {lr}", run, hint)

    _judge("train_step", [case("Simple", 1, 1.0), case("Xor", 3, 2.0)])


def check_linear_model(cls: type[Module]) -> None:
    """A reader's version of :class:`~minitorch_lite.LinearModel`: a Module with
    parameters ``w_1``, ``w_2`` and ``b`` (in that order, all starting at 0) whose
    ``forward(x)`` is the score ``x_1 w_1 + x_2 w_2 + b``, so that ``backward`` fills
    in the derivatives ``x_1``, ``x_2`` and 1."""

    def names() -> str | None:
        model = cls()
        if not isinstance(model, Module):
            return f"{cls.__name__}() is a {type(model).__name__}, not a minitorch Module"
        got = [(name, p.value.data) for name, p in model.named_parameters()]
        want = [("w_1", 0.0), ("w_2", 0.0), ("b", 0.0)]
        if got != want:
            return f"expected parameters {want}, got {got}"
        return None

    def score(point: tuple[float, float], values: tuple[float, float, float]) -> _Case:
        def run() -> str | None:
            model = cls()
            for p, v in zip(model.parameters(), values, strict=True):
                p.update(v)
            out = model(point)
            if not isinstance(out, Scalar):
                return f"forward returned {out!r}, not a Scalar"
            want = point[0] * values[0] + point[1] * values[1] + values[2]
            problem = _differ(want, out.data, 1e-12)
            if problem:
                return f"the score: {problem}"
            out.backward()
            for (name, p), d in zip(
                model.named_parameters(), (point[0], point[1], 1.0), strict=True
            ):
                problem = _differ(d, p.value.derivative, 1e-12)
                if problem:
                    return f"d score / d {name}: {problem}"
            return None

        hint = (
            "forward(x) returns x[0] * self.w_1.value + x[1] * self.w_2.value + self.b.value: "
            "use the parameters' .value (Scalars), so that backward reaches them."
        )
        return _Case(f"score at x = {point}, (w_1, w_2, b) = {values}", run, hint)

    _judge(
        f"{cls.__name__}",
        [
            _Case(
                "three parameters w_1, w_2, b, all 0",
                names,
                "call super().__init__() first, then assign Parameter(0.0) to self.w_1, "
                "self.w_2 and self.b, in that order.",
            ),
            score((0.25, 0.75), (1.0, -2.0, 0.5)),
            score((0.9, 0.1), (-3.0, 4.0, -1.0)),
        ],
    )
