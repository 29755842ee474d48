"""Float operators: the plain-number building blocks of every ScalarFunction.

Each function here takes and returns Python floats. The ``*_back`` functions give
``f'(x) * d``: the derivative of ``f`` at ``x`` times the derivative ``d`` arriving
from later in the computation (the chain rule, one step).

The second half builds the higher-order functions ``map``, ``zipWith`` and
``reduce``, and list helpers made from them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

EPS = 1e-6


def mul(x: float, y: float) -> float:
    """``x * y``."""
    return x * y


def id(x: float) -> float:  # noqa: A001 - the course calls it ``id``
    """Return ``x`` unchanged (the identity function)."""
    return x


def add(x: float, y: float) -> float:
    """``x + y``."""
    return x + y


def neg(x: float) -> float:
    """``-x``."""
    return -x


def lt(x: float, y: float) -> float:
    """1.0 if ``x < y`` else 0.0."""
    return 1.0 if x < y else 0.0


def eq(x: float, y: float) -> float:
    """1.0 if ``x == y`` else 0.0."""
    return 1.0 if x == y else 0.0


def max(x: float, y: float) -> float:  # noqa: A001 - the course calls it ``max``
    """The larger of ``x`` and ``y``."""
    return x if x > y else y


def is_close(x: float, y: float) -> bool:
    """True if ``|x - y| < 0.01``: close enough for a derivative check."""
    return abs(x - y) < 1e-2


def sigmoid(x: float) -> float:
    r"""The logistic function :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Numerically stable: for negative ``x`` it uses the equal form
    :math:`e^{x} / (1 + e^{x})`, so ``exp`` never overflows.
    """
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def relu(x: float) -> float:
    """``x`` if ``x > 0`` else 0.0."""
    return x if x > 0.0 else 0.0


def log(x: float) -> float:
    """Natural logarithm. Raises ``ValueError`` for ``x <= 0``."""
    if x <= 0.0:
        raise ValueError(f"log is only defined for positive numbers, got {x!r}")
    return math.log(x)


def exp(x: float) -> float:
    """``e ** x``."""
    return math.exp(x)


def inv(x: float) -> float:
    """``1 / x``. Raises ``ZeroDivisionError`` with a clear message for ``x == 0``."""
    if x == 0.0:
        raise ZeroDivisionError("inv (1/x) is undefined at x = 0")
    return 1.0 / x


def log_back(x: float, d: float) -> float:
    """Derivative of ``log`` at ``x`` times ``d``: ``d / x``."""
    if x <= 0.0:
        raise ValueError(f"log is only defined for positive numbers, got {x!r}")
    return d / x


def inv_back(x: float, d: float) -> float:
    """Derivative of ``inv`` at ``x`` times ``d``: ``-d / x**2``."""
    if x == 0.0:
        raise ZeroDivisionError("inv (1/x) is undefined at x = 0")
    return -d / (x * x)


def relu_back(x: float, d: float) -> float:
    """Derivative of ``relu`` at ``x`` times ``d``: ``d`` if ``x > 0`` else 0.0."""
    return d if x > 0.0 else 0.0


def sigmoid_back(x: float, d: float) -> float:
    r"""Derivative of ``sigmoid`` at ``x`` times ``d``: :math:`\sigma(x)(1-\sigma(x)) d`."""
    s = sigmoid(x)
    return s * (1.0 - s) * d


def log_sigmoid(x: float) -> float:
    r""":math:`\log \sigma(x)`, stable for large :math:`|x|` (never ``log(0)``)."""
    # log sigma(x) = min(x, 0) - log(1 + e^{-|x|})
    return (x if x < 0.0 else 0.0) - math.log1p(math.exp(-abs(x)))


# ----- Higher-order functions -------------------------------------------------------


def map(fn: Callable[[float], float]) -> Callable[[Iterable[float]], list[float]]:  # noqa: A001
    """Lift ``fn`` to lists: ``map(fn)(ls)`` applies ``fn`` to each element."""

    def apply(ls: Iterable[float]) -> list[float]:
        return [fn(x) for x in ls]

    return apply


def zipWith(  # noqa: N802 - the course's name
    fn: Callable[[float, float], float],
) -> Callable[[Iterable[float], Iterable[float]], list[float]]:
    """Lift a two-argument ``fn`` to pairs of lists, element by element.

    The lists must have the same length.
    """

    def apply(ls1: Iterable[float], ls2: Iterable[float]) -> list[float]:
        a, b = list(ls1), list(ls2)
        if len(a) != len(b):
            raise ValueError(f"zipWith needs lists of equal length, got {len(a)} and {len(b)}")
        return [fn(x, y) for x, y in zip(a, b, strict=True)]

    return apply


def reduce(fn: Callable[[float, float], float], start: float) -> Callable[[Iterable[float]], float]:
    """Fold a list with ``fn``, starting from ``start``: ``fn(...fn(fn(start, x0), x1)...)``."""

    def apply(ls: Iterable[float]) -> float:
        acc = start
        for x in ls:
            acc = fn(acc, x)
        return acc

    return apply


def negList(ls: Iterable[float]) -> list[float]:  # noqa: N802
    """Negate every element of ``ls``."""
    return map(neg)(ls)


def addLists(ls1: Iterable[float], ls2: Iterable[float]) -> list[float]:  # noqa: N802
    """Add two lists element by element."""
    return zipWith(add)(ls1, ls2)


def sum(ls: Iterable[float]) -> float:  # noqa: A001
    """Sum of a list (0.0 for an empty one)."""
    return reduce(add, 0.0)(ls)


def prod(ls: Iterable[float]) -> float:
    """Product of a list (1.0 for an empty one)."""
    return reduce(mul, 1.0)(ls)
