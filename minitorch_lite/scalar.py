"""``Scalar``: a number that remembers how it was computed.

A Scalar wraps one float (``.data``). Every operation on Scalars goes through a
:class:`~minitorch_lite.scalar_functions.ScalarFunction`, which records a
:class:`ScalarHistory` on the result: the function, its :class:`Context` and its
inputs. Those records form the computation graph that :meth:`Scalar.backward`
walks to fill in ``.derivative`` on the leaves.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import NamedTuple, Union

from . import scalar_functions
from .autodiff import Context, backpropagate, central_difference
from .operators import is_close

ScalarLike = Union[float, int, "Scalar"]

_ids = itertools.count(1)  # unique_id of the next Scalar


class ScalarHistory(NamedTuple):
    """How a Scalar was made: ``last_fn`` applied, with ``ctx``, to ``inputs``.

    A leaf Scalar (made by the user) has ``last_fn=None``; a constant has no
    history at all (``Scalar.history is None``). A record never changes once made
    (assigning to a field raises an error). Two records are equal when they name the
    same function, equal contexts and the very same input Scalars.
    """

    last_fn: type[scalar_functions.ScalarFunction] | None = None
    ctx: Context | None = None
    inputs: Sequence[Scalar] = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScalarHistory):
            return NotImplemented
        # Inputs are compared by identity: == on Scalars builds a graph node.
        same_inputs = [id(x) for x in self.inputs] == [id(x) for x in other.inputs]
        return self.last_fn is other.last_fn and self.ctx == other.ctx and same_inputs

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]  # equal by identity of inputs: no hash


def _not_a_number(v: object, what: str) -> TypeError:
    """The error for ``v``, which should have been a number (an int or a float)."""
    if isinstance(v, Scalar):
        return TypeError(f"{what} got a Scalar where a plain number belongs: {v!r}")
    return TypeError(f"{what} expects a number (int or float), got {type(v).__name__} {v!r}")


LEAF = ScalarHistory()  #: the history of every leaf: no function, no inputs


class Scalar:
    """A float that records the operations applied to it.

    Args:
        v: the value (any real number; stored as a float in ``.data``).
        back: how it was made. The default, :data:`LEAF`, marks a Scalar the user
            created; ``None`` marks a constant, for which no derivative is computed.
        name: an optional label, used when printing and drawing graphs (``None``
            when not given; ``unique_id`` tells unnamed Scalars apart).

    Arithmetic (``+ - * /``, unary ``-``, ``< > ==``) works with Scalars and
    plain numbers on either side. ``==`` builds a graph node, so Scalars hash by
    identity.
    """

    # Only these attributes: a misspelt ``x.derivitive = 0.0`` raises instead of passing.
    __slots__ = ("data", "derivative", "history", "name", "unique_id")

    def __init__(
        self, v: float, back: ScalarHistory | None = LEAF, name: str | None = None
    ) -> None:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _not_a_number(v, "Scalar")
        self.data: float = float(v)
        self.derivative: float | None = None
        self.history: ScalarHistory | None = back
        self.unique_id: int = next(_ids)
        self.name: str | None = name

    def __repr__(self) -> str:
        return f"Scalar({self.data!r})"

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return self.data

    # ----- arithmetic: each operator is one ScalarFunction ---------------------------
    def __add__(self, b: ScalarLike) -> Scalar:
        return scalar_functions.Add.apply(self, b)

    def __radd__(self, b: ScalarLike) -> Scalar:
        return scalar_functions.Add.apply(b, self)

    def __sub__(self, b: ScalarLike) -> Scalar:
        return scalar_functions.Add.apply(self, scalar_functions.Neg.apply(b))

    def __rsub__(self, b: ScalarLike) -> Scalar:
        return scalar_functions.Add.apply(b, scalar_functions.Neg.apply(self))

    def __mul__(self, b: ScalarLike) -> Scalar:
        return scalar_functions.Mul.apply(self, b)

    def __rmul__(self, b: ScalarLike) -> Scalar:
        return scalar_functions.Mul.apply(b, self)

    def __truediv__(self, b: ScalarLike) -> Scalar:
        return scalar_functions.Mul.apply(self, scalar_functions.Inv.apply(b))

    def __rtruediv__(self, b: ScalarLike) -> Scalar:
        return scalar_functions.Mul.apply(b, scalar_functions.Inv.apply(self))

    def __neg__(self) -> Scalar:
        return scalar_functions.Neg.apply(self)

    def __lt__(self, b: ScalarLike) -> Scalar:  # type: ignore[override]
        return scalar_functions.LT.apply(self, b)

    def __gt__(self, b: ScalarLike) -> Scalar:  # type: ignore[override]
        return scalar_functions.LT.apply(b, self)

    def __eq__(self, b: object) -> Scalar:  # type: ignore[override]
        return scalar_functions.EQ.apply(self, b)  # type: ignore[arg-type]

    def log(self) -> Scalar:
        """Natural logarithm (defined for positive values)."""
        return scalar_functions.Log.apply(self)

    def exp(self) -> Scalar:
        """``e ** self``."""
        return scalar_functions.Exp.apply(self)

    def sigmoid(self) -> Scalar:
        """The logistic function."""
        return scalar_functions.Sigmoid.apply(self)

    def relu(self) -> Scalar:
        """``max(self, 0)``."""
        return scalar_functions.ReLU.apply(self)

    def log_sigmoid(self) -> Scalar:
        """``log(sigmoid(self))``, stable for large magnitudes."""
        return scalar_functions.LogSigmoid.apply(self)

    # ----- the graph -------------------------------------------------------------
    def is_leaf(self) -> bool:
        """True for a Scalar the user created (it has a history but no function)."""
        return self.history is not None and self.history.last_fn is None

    def is_constant(self) -> bool:
        """True when no derivative is tracked for this Scalar."""
        return self.history is None

    @property
    def parents(self) -> Sequence[Scalar]:
        """The Scalars this one was computed from (empty for leaves and constants)."""
        return () if self.history is None else self.history.inputs

    def requires_grad_(self, flag: bool = True) -> None:
        """Track derivatives for this Scalar (it becomes a leaf) or not (a constant).

        A Scalar computed by a function is already tracked and keeps its history.
        """
        if self.history is not None and self.history.last_fn is not None:
            if not flag:
                raise ValueError(
                    f"requires_grad_(False) is only for Scalars the user created; {self!r} "
                    f"was made by {self.history.last_fn.__name__}"
                )
            return
        self.history = LEAF if flag else None

    def accumulate_derivative(self, x: float) -> None:
        """Add ``x`` to ``.derivative``. Only leaves collect derivatives."""
        if not self.is_leaf():
            made_by = "a constant" if self.history is None else self.history.last_fn.__name__
            raise ValueError(
                "accumulate_derivative is only for leaf Scalars (created by the user); "
                f"{self!r} was made by {made_by}"
            )
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise _not_a_number(x, "accumulate_derivative")
        self.derivative = float(x) if self.derivative is None else self.derivative + x

    def chain_rule(self, d_output: float) -> list[tuple[Scalar, float]]:
        """One step of the chain rule: each (non-constant) input with its derivative.

        Calls ``last_fn.backward(ctx, d_output)``, which returns, for each input ``i``,
        the partial derivative of ``last_fn`` with respect to input ``i``, times ``d_output``.
        """
        h = self.history
        if h is None or h.last_fn is None:
            raise ValueError(f"chain_rule needs a Scalar made by a function; {self!r} is not")
        fn = h.last_fn
        derivatives = fn.backward(h.ctx, d_output)
        if not isinstance(derivatives, tuple):  # a one-input backward may return a bare float
            derivatives = (derivatives,)
        if len(derivatives) != len(h.inputs):
            raise ValueError(
                f"{fn.__name__}.backward returned {len(derivatives)} derivative(s) "
                f"for {len(h.inputs)} input(s)"
            )
        pairs = []
        for x, d in zip(h.inputs, derivatives, strict=False):  # lengths checked above
            if isinstance(d, bool) or not isinstance(d, (int, float)):
                raise TypeError(
                    f"{fn.__name__}.backward must return a float, got {type(d).__name__} {d!r}"
                )
            if not x.is_constant():  # a constant gets no derivative
                pairs.append((x, d))
        return pairs

    def backward(self, d_output: float | None = None) -> None:
        """Fill ``.derivative`` on every leaf this Scalar depends on.

        ``d_output`` defaults to 1.0: the derivative of the output with respect to
        itself.
        """
        if d_output is None:
            d_output = 1.0
        backpropagate(self, d_output)


def derivative_check(f: Callable[..., Scalar], *scalars: Scalar) -> None:
    """Check autodiff against central difference for every argument of ``f``.

    Raises ``AssertionError`` naming the argument, both derivatives and the inputs
    when they disagree.
    """
    for x in scalars:
        x.derivative = None
    out = f(*scalars)
    out.backward()
    for i, x in enumerate(scalars):
        numerical = central_difference(f, *scalars, arg=i)
        autodiff = 0.0 if x.derivative is None else x.derivative
        if not is_close(autodiff, numerical):
            raise AssertionError(
                f"Derivative check failed for argument {i} of {getattr(f, '__qualname__', f)!r} "
                f"at {list(scalars)}: autodiff gives {autodiff}, "
                f"central difference gives {numerical}"
            )
