"""Trace once, replay fast: turn a function of Scalars into straight-line Python.

:func:`compile` runs a function once on fresh leaf Scalars (the *trace*), reads the graph
it built through each Scalar's public ``history`` (``last_fn``, ``ctx``, ``inputs``), and
writes one line of Python per node: the forward pass in the order the values were made,
then the backward pass in the order :func:`~minitorch_lite.autodiff.topological_sort`
gives, accumulating each derivative the way
:func:`~minitorch_lite.autodiff.backpropagate` does. Each line comes from a template
for the node's ScalarFunction (:data:`TEMPLATES`), the same arithmetic as that
function's ``forward`` and ``backward``, so the replay gives the engine's floats.

Tracing records one path. A function that looks at the values (reads ``.data``, or
branches on a comparison with ``if``) would replay the path of the trace for every
input; :func:`compile` refuses it with a :class:`TracingError`.
"""

from __future__ import annotations

import builtins
import hashlib
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from . import operators
from .autodiff import topological_sort
from .scalar import Scalar
from .scalar_functions import (
    EQ,
    LT,
    Add,
    Exp,
    Inv,
    Log,
    LogSigmoid,
    Mul,
    Neg,
    ReLU,
    ScalarFunction,
    Sigmoid,
)


class TracingError(ValueError):
    """The function cannot be traced into one fixed program."""


class Template(NamedTuple):
    """How to write one ScalarFunction as Python.

    ``forward`` is an expression in the inputs ``{a}`` (and ``{b}``); ``backward`` is one
    expression per input, in ``{a}``, ``{b}``, the node's own value ``{out}`` and the
    derivative ``{d}`` arriving from above. Names used (``inv``, ``log_sigmoid`` ...)
    are the functions of :mod:`minitorch_lite.operators`.
    """

    forward: str
    backward: tuple[str, ...]


#: One template per ScalarFunction, written from its forward and backward
#: (tests/test_compile.py checks each against the class, bit for bit).
TEMPLATES: dict[type[ScalarFunction], Template] = {
    Add: Template("{a} + {b}", ("{d}", "{d}")),
    Mul: Template("{a} * {b}", ("{b} * {d}", "{a} * {d}")),
    Inv: Template("inv({a})", ("inv_back({a}, {d})",)),
    Neg: Template("-{a}", ("-{d}",)),
    Log: Template("log({a})", ("log_back({a}, {d})",)),
    Exp: Template("exp({a})", ("{out} * {d}",)),
    Sigmoid: Template("sigmoid({a})", ("{out} * (1.0 - {out}) * {d}",)),
    ReLU: Template("{a} if {a} > 0.0 else 0.0", ("{d} if {a} > 0.0 else 0.0",)),
    LogSigmoid: Template("log_sigmoid({a})", ("sigmoid(-{a}) * {d}",)),
    LT: Template("lt({a}, {b})", ("0.0", "0.0")),
    EQ: Template("eq({a}, {b})", ("0.0", "0.0")),
}

#: What the generated code may call: the operators the templates name.
NAMESPACE: dict[str, Any] = {
    name: getattr(operators, name)
    for name in ("inv", "inv_back", "log", "log_back", "exp", "sigmoid", "log_sigmoid", "lt", "eq")
}
NAMESPACE.update(inf=math.inf, nan=math.nan)  # repr() of a baked-in constant may name them


class Compiled:
    """A traced function: call it with floats, get ``(value, gradients)``.

    ``source`` is the generated Python; ``n_inputs`` how many floats it takes;
    ``n_lines`` how many nodes it replays (forward plus backward lines).
    """

    def __init__(self, fn: Callable[..., Any], source: str, n_inputs: int, name: str) -> None:
        self._fn = fn
        self.source = source
        self.n_inputs = n_inputs
        self.n_lines = source.count("\n") - 1
        self.__name__ = name

    def __call__(self, *values: float) -> Any:
        if len(values) != self.n_inputs:
            raise TypeError(
                f"compiled {self.__name__} takes {self.n_inputs} input(s), got {len(values)}"
            )
        return self._fn(*values)

    def __repr__(self) -> str:
        return f"<compiled {self.__name__}: {self.n_inputs} inputs, {self.n_lines} lines>"


def _refuse_bool(self: Scalar) -> bool:
    made = self.history.last_fn if self.history is not None else None
    what = made.__name__ if made is not None else "a Scalar"
    raise TracingError(
        f"tracing records one path: the function asked whether a Scalar made by {what} "
        f"is true (an `if`, `and`, `or` or `while` on a comparison such as {what}), so the "
        "path would depend on the input values; compute both sides with Scalar operations "
        "instead (relu, sigmoid, ...)"
    )


def _refuse_float(self: Scalar) -> float:
    raise TracingError(
        "tracing records one path: the function turned a Scalar into a float (float(x)), "
        "so the result would depend on the values seen while tracing"
    )


def _run_traced(run: Callable[[], Any]) -> Any:
    """``run()`` with ``bool()`` and ``float()`` of Scalars refused."""
    saved = Scalar.__bool__, Scalar.__float__
    Scalar.__bool__, Scalar.__float__ = _refuse_bool, _refuse_float  # type: ignore[method-assign]
    try:
        return run()
    finally:
        Scalar.__bool__, Scalar.__float__ = saved  # type: ignore[method-assign]


def _graph(outputs: Sequence[Scalar]) -> list[Scalar]:
    """Every Scalar the outputs were computed from, each after its inputs."""
    order: list[Scalar] = []
    seen: set[int] = set()
    for out in outputs:
        stack: list[tuple[Scalar, bool]] = [(out, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            history = node.history
            if history is not None:
                for parent in reversed(list(history.inputs)):
                    if id(parent) not in seen:
                        stack.append((parent, False))
    return order


def _signature(order: Sequence[Scalar], inputs: Sequence[Scalar]) -> list[tuple[Any, ...]]:
    """The shape of a traced graph: each node's function, inputs, and baked-in constants
    (as the code spells them: ``repr``, so 0.0 and -0.0 differ)."""
    index = {id(v): i for i, v in enumerate(order)}
    position = {id(v): i for i, v in enumerate(inputs)}
    sig: list[tuple[Any, ...]] = []
    for v in order:
        history = v.history
        if history is None or (history.last_fn is None and id(v) not in position):
            sig.append(("constant", repr(v.data)))
        elif history.last_fn is None:
            sig.append(("input", position[id(v)]))
        else:
            sig.append((history.last_fn, tuple(index[id(p)] for p in history.inputs)))
    return sig


def _describe(entry: tuple[Any, ...]) -> str:
    if entry[0] == "constant":
        return f"the constant {entry[1]}"
    if entry[0] == "input":
        return "an input"
    return f"a {entry[0].__name__} node"


def _generate(
    root: Scalar,
    inputs: Sequence[Scalar],
    extras: Sequence[Scalar],
    name: str,
    order: Sequence[Scalar],
) -> tuple[str, Callable[..., Any]]:
    """Python source for ``root``'s forward and backward (plus ``extras``' values);
    ``order`` is ``_graph([root, *extras])``."""
    names: dict[int, str] = {}
    lines = [f"def {name}({', '.join(f'v{i}' for i in range(len(inputs)))}):"]
    input_ids = {id(v): i for i, v in enumerate(inputs)}
    lines.append("    # forward")
    counter = len(inputs)
    for v in order:
        if id(v) in input_ids:
            names[id(v)] = f"v{input_ids[id(v)]}"
            continue
        history = v.history
        if history is None or history.last_fn is None:  # baked in: a constant
            names[id(v)] = repr(v.data)
            continue
        fn = history.last_fn
        if fn not in TEMPLATES:
            raise TracingError(f"compile has no template for {fn.__name__}: add it to TEMPLATES")
        args = [names[id(p)] for p in history.inputs]
        out = f"v{counter}"
        counter += 1
        lines.append(
            f"    {out} = " + TEMPLATES[fn].forward.format(**dict(zip("ab", args, strict=False)))
        )
        names[id(v)] = out
    lines.append("    # backward")
    grads = {id(v): f"d{names[id(v)][1:]}" for v in order if names[id(v)].startswith("v")}
    started: set[int] = set()

    def accumulate(target: Scalar, expr: str) -> None:
        g = grads[id(target)]
        term = f"({expr})" if " if " in expr else expr  # `a + b if c else d` is not a sum
        if id(target) in started:
            lines.append(f"    {g} = {g} + {term}")
        else:  # backpropagate starts every sum from 0.0 (it matters for the sign of a zero)
            first = f"0.0 + {term}" if id(target) in input_ids else expr
            lines.append(f"    {g} = {first}")
            started.add(id(target))

    if not root.is_constant():
        lines.append(f"    {grads[id(root)]} = 1.0")
        started.add(id(root))
        for v in topological_sort(root):
            history = v.history
            if history is None or history.last_fn is None:
                continue
            template = TEMPLATES[history.last_fn]
            fmt = dict(zip("ab", (names[id(p)] for p in history.inputs), strict=False))
            fmt.update(out=names[id(v)], d=grads[id(v)])
            for p, expr in zip(history.inputs, template.backward):  # noqa: B905
                ph = p.history
                if ph is None or (ph.last_fn is None and id(p) not in input_ids):
                    continue  # constants and baked-in numbers need no derivative
                accumulate(p, expr.format(**fmt))
    gradients = [grads[id(v)] if id(v) in started else "0.0" for v in inputs]
    extra = ", ".join(names[id(v)] for v in extras)
    lines.append(
        f"    return {names[id(root)]}, ({', '.join(gradients)}{',' if gradients else ''})"
        + (f", ({extra},)" if extras else "")
    )
    source = "\n".join(lines) + "\n"
    namespace = dict(NAMESPACE)
    exec(builtins.compile(source, f"<compiled {name}>", "exec"), namespace)  # noqa: S102
    return source, namespace[name]


#: Generated code of recent traces, by graph (see ``trace``'s ``reuse``): the oldest
#: entries go when together they hold more than ``REUSE_LINES`` lines (about 4 MB of
#: memory per 25,000 lines).
_REUSE: dict[tuple[Any, ...], tuple[str, Callable[..., Any]]] = {}
REUSE_LINES = 300_000


def trace(
    run: Callable[[], Any],
    inputs: Sequence[Scalar],
    set_values: Callable[[Sequence[float]], None],
    name: str = "f",
    reuse: bool = False,
) -> tuple[str, Callable[..., Any]]:
    """Trace ``run()`` (which returns a Scalar, or a Scalar and a list of Scalars) twice.

    ``inputs`` are the leaves it reads; ``set_values`` moves them to other values for the
    second trace (and back). The two graphs must have the same shape, or the function
    looked at the values. Returns the generated source and function.

    With ``reuse``, a graph identical to one traced recently (same operations, inputs
    and baked-in constants: so the same source) gets that trace's code back instead of
    generating and compiling it again; both traces and their check still run. Training
    uses it: a notebook trains the same network on the same points several times.
    """

    def outputs() -> tuple[Scalar, list[Scalar]]:
        result = _run_traced(run)
        root, extras = result if isinstance(result, tuple) else (result, [])
        if not isinstance(root, Scalar):
            raise TypeError(
                f"compile needs a function that returns a Scalar, got {type(root).__name__} "
                f"{root!r}"
            )
        return root, list(extras)

    first = [v.data for v in inputs]
    root, extras = outputs()
    order = _graph([root, *extras])
    sig = _signature(order, inputs)
    set_values([x * 1.375 + 0.0625 for x in first])
    try:
        root2, extras2 = outputs()
        sig2 = _signature(_graph([root2, *extras2]), inputs)
    finally:
        set_values(first)
    if sig != sig2:
        at = next(
            (i for i, (p, q) in enumerate(zip(sig, sig2, strict=False)) if p != q),
            min(len(sig), len(sig2)),
        )
        seen = _describe(sig[at]) if at < len(sig) else "the end of the graph"
        other = _describe(sig2[at]) if at < len(sig2) else "the end of the graph"
        raise TracingError(
            "tracing records one path, but this function's graph depends on the input "
            f"values: traced at two points, node {at} was {seen} once and {other} the other "
            "time (did it read .data, or branch on a value?)"
        )
    if not reuse:
        return _generate(root, inputs, extras, name, order)
    index = {id(v): i for i, v in enumerate(order)}
    graph = hashlib.sha256(repr(sig).encode()).hexdigest()  # names each function's class
    key = (name, len(inputs), tuple(index[id(v)] for v in (root, *extras)), graph)
    if key not in _REUSE:
        _REUSE[key] = _generate(root, inputs, extras, name, order)
        while sum(src.count("\n") for src, _ in _REUSE.values()) > REUSE_LINES > 0:
            del _REUSE[next(iter(_REUSE))]  # the oldest
    return _REUSE[key]


def compile(f: Callable[..., Scalar], n_inputs: int) -> Compiled:  # noqa: A001
    """Trace ``f`` (a function of ``n_inputs`` Scalars) into a fast replay.

    ``compile(f, n)(*floats)`` returns ``(value, gradients)``, the same floats as
    ``out = f(*scalars); out.backward()`` would give in ``out.data`` and each input's
    ``derivative`` (0.0 for an input the result does not depend on).
    """
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 0:
        raise ValueError(f"n_inputs must be a whole number >= 0, got {n_inputs!r}")
    if not callable(f):
        raise TypeError(f"compile needs a function, got {type(f).__name__} {f!r}")
    leaves = [Scalar(0.25 + 0.125 * i) for i in range(n_inputs)]

    def set_values(values: Sequence[float]) -> None:
        for leaf, x in zip(leaves, values):  # noqa: B905
            leaf.data = x

    name = getattr(f, "__name__", "f")
    name = "traced_" + (name if name.isidentifier() else "f")
    source, fn = trace(lambda: f(*leaves), leaves, set_values, name)
    return Compiled(fn, source, n_inputs, name)
