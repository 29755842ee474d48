"""The machinery of autodifferentiation that does not depend on what a value is.

* :class:`Context`: what a function's ``forward`` saves for its ``backward``.
* :func:`central_difference`: the numerical derivative, our reference for checks.
* :func:`topological_sort` and :func:`backpropagate`: walk the computation graph
  from the output back to the leaves, applying the chain rule at every box.

Both graph walks are loops with an explicit stack, never recursion, so a graph
100,000 operations deep is no problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(slots=True)
class Context:
    """Scratch space a ``forward`` fills for the matching ``backward``.

    ``forward`` runs now; ``backward`` may run much later, when the arguments are
    long gone. Whatever the derivative needs must be saved here with
    :meth:`save_for_backward`. ``saved_values`` is always a tuple.
    """

    no_grad: bool = False
    saved_values: tuple[Any, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        """Store ``values`` for ``backward`` (skipped when no derivative is needed)."""
        if self.no_grad:
            return
        self.saved_values = values


class Variable(Protocol):
    """What the graph walks need from a value (a :class:`~minitorch_lite.Scalar` is one).

    The walks keep variables in sets and dicts, so a variable must hash by identity
    (``Scalar`` does, although its ``==`` builds a graph node: two distinct live objects
    never share an identity hash, so ``==`` is never called).
    """

    derivative: float | None

    @property
    def unique_id(self) -> int: ...

    @property
    def parents(self) -> Iterable[Variable]: ...

    def is_leaf(self) -> bool: ...

    def is_constant(self) -> bool: ...

    def accumulate_derivative(self, x: float) -> None: ...

    def chain_rule(self, d_output: float) -> Iterable[tuple[Variable, float]]: ...


def central_difference(
    f: Callable[..., Any], *vals: Any, arg: int = 0, epsilon: float = 1e-6
) -> float:
    r"""Approximate the derivative of ``f`` with respect to argument ``arg``.

    .. math:: f'_{arg}(\ldots) \approx \frac{f(\ldots, x + \epsilon, \ldots)
              - f(\ldots, x - \epsilon, \ldots)}{2 \epsilon}

    Works for functions of floats and of Scalars (Scalars are unwrapped, nudged and
    wrapped again, so no graph is recorded). Always returns a float.
    """
    if not vals:
        raise ValueError("central_difference needs at least one value to differentiate at")
    if not isinstance(arg, int) or not 0 <= arg < len(vals):
        raise ValueError(f"arg={arg!r} is out of range for {len(vals)} value(s)")
    if epsilon <= 0:
        raise ValueError(f"epsilon must be positive, got {epsilon!r}")

    def nudged(delta: float) -> list[Any]:
        out = list(vals)
        x = out[arg]
        if hasattr(x, "data") and hasattr(x, "history"):  # a Scalar: fresh leaf, no graph
            out[arg] = type(x)(x.data + delta)
        else:
            out[arg] = x + delta
        return out

    up = f(*nudged(epsilon))
    down = f(*nudged(-epsilon))
    up = getattr(up, "data", up)
    down = getattr(down, "data", down)
    return (float(up) - float(down)) / (2.0 * epsilon)


def topological_sort(variable: Variable) -> list[Variable]:
    """The non-constant variables of ``variable``'s graph, output first.

    Every variable comes before all the variables it was computed from, so when
    :func:`backpropagate` reaches a variable, every use of it has already sent
    back its share of the derivative.
    """
    if variable.is_constant():
        return []
    # A depth-first walk from the output. A variable is *finished* once all
    # of its inputs are finished, so the finishing order lists every input
    # before the variables that use it; reversed, it is the order we want.
    # ``path`` is the walk's own stack (no recursion, so any depth works):
    # the variables from the output down to the one being explored. Coming
    # back up to a variable, we look at its inputs again; those already seen
    # are skipped (a box has at most two inputs: looking again costs little).
    finished: list[Variable] = []
    seen = {variable}  # variables hash by identity
    path = [variable]
    while path:
        node = path[-1]
        for parent in node.parents:
            if parent not in seen and not parent.is_constant():
                seen.add(parent)
                path.append(parent)
                break  # explore the input first; come back to node afterwards
        else:  # every input of node is finished (or a constant)
            path.pop()
            finished.append(node)
    finished.reverse()
    return finished


def backpropagate(variable: Variable, deriv: float) -> None:
    """Run the chain rule backward from ``variable``, seeded with ``deriv``.

    Fills ``.derivative`` of every leaf that ``variable`` depends on. A leaf
    reached along several paths receives the sum of their derivatives.
    """
    # The derivative of the output with respect to each variable, summed over its uses.
    derivatives: dict[Variable, float] = {variable: deriv}
    for var in topological_sort(variable):
        d = derivatives.pop(var, 0.0)  # complete: every use of var came earlier
        if var.is_leaf():
            var.accumulate_derivative(d)
            continue
        for parent, d_parent in var.chain_rule(d):
            derivatives[parent] = derivatives.get(parent, 0.0) + d_parent
