"""``Scalar``: a number that remembers how it was computed.

A Scalar wraps one float (``.data``). Every operation on Scalars goes through a
:class:`~minitorch_lite.scalar_functions.ScalarFunction`, which records a
:class:`ScalarHistory` on the result: the function, its :class:`Context` and its
inputs. Those records form the computation graph that :meth:`Scalar.backward`
walks to fill in ``.derivative`` on the leaves.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Union

from .autodiff import Context, backpropagate, central_difference
from .operators import is_close

if TYPE_CHECKING:
    from .scalar_functions import ScalarFunction

ScalarLike = Union[float, int, "Scalar"]

_next_id = itertools.count(1).__next__


class ScalarHistory:
    """How a Scalar was made: ``last_fn`` applied, with ``ctx``, to ``inputs``.

    A leaf Scalar (made by the user) has ``last_fn=None``; a constant has no
    history at all (``Scalar.history is None``).
    """

    __slots__ = ("last_fn", "ctx", "inputs")

    def __init__(
        self,
        last_fn: type[ScalarFunction] | None = None,
        ctx: Context | None = None,
        inputs: Sequence[Scalar] = (),
    ) -> None:
        self.last_fn = last_fn
        self.ctx = ctx
        self.inputs = inputs

    def __repr__(self) -> str:
        return (
            f"ScalarHistory(last_fn={self.last_fn!r}, ctx={self.ctx!r}, "
            f"inputs={list(self.inputs)!r})"
        )


def _to_float(v: object, what: str) -> float:
    """``v`` as a float, or a TypeError that names what was wrong."""
    if isinstance(v, Scalar):
        raise TypeError(f"{what} got a Scalar where a plain number belongs: {v!r}")
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return float(v)
    raise TypeError(f"{what} expects a real number, got {type(v).__name__} {v!r}")


_LEAF = ScalarHistory()


class Scalar:
    """A float that records the operations applied to it.

    Args:
        v: the value (any real number; stored as a float in ``.data``).
        back: how it was made. The default marks a leaf the user created;
            ``None`` marks a constant, for which no derivative is computed.
        name: an optional label, used when drawing graphs.

    Arithmetic (``+ - * /``, unary ``-``, ``< > ==``) works with Scalars and
    plain numbers on either side. ``==`` builds a graph node, so Scalars hash by
    identity.
    """

    # The history is kept as its three parts, ``_fn``, ``_ctx`` and ``_inputs``, rather
    # than as a ScalarHistory object: a big computation makes tens of thousands of
    # Scalars, and one object fewer each makes it noticeably faster (fewer objects for
    # Python's garbage collector to walk). The ``history`` property below puts the parts
    # back together, so from the outside a Scalar has a ``history`` like any other.
    # A constant has ``_inputs = None``; a leaf has ``_fn = None`` and ``_inputs = ()``.
    __slots__ = ("data", "derivative", "_fn", "_ctx", "_inputs", "_name", "_unique_id")

    def __init__(
        self, v: float, back: ScalarHistory | None = _LEAF, name: str | None = None
    ) -> None:
        self.data: float = v if type(v) is float else _to_float(v, "Scalar")
        self.derivative: float | None = None
        if back is None:  # a constant
            self._fn, self._ctx, self._inputs = None, None, None
        else:  # stored as its parts, see the history property
            self._fn, self._ctx, self._inputs = back.last_fn, back.ctx, back.inputs
        self._name = name
        self._unique_id: int | None = None  # handed out on first use, see unique_id

    @property
    def history(self) -> ScalarHistory | None:
        """How this Scalar was made (a fresh ScalarHistory), or None for a constant."""
        if self._inputs is None:
            return None
        return ScalarHistory(self._fn, self._ctx, self._inputs)

    @history.setter
    def history(self, back: ScalarHistory | None) -> None:
        if back is None:
            self._fn, self._ctx, self._inputs = None, None, None
        else:
            self._fn, self._ctx, self._inputs = back.last_fn, back.ctx, back.inputs

    @classmethod
    def _made_by(
        cls, v: float, fn: type[ScalarFunction], ctx: Context, inputs: Sequence[Scalar]
    ) -> Scalar:
        """``Scalar(v, ScalarHistory(fn, ctx, inputs))`` without the ScalarHistory.

        ``ScalarFunction.apply`` makes every result this way: same Scalar, less work.
        """
        out = cls.__new__(cls)
        out.data, out.derivative, out._name, out._unique_id = v, None, None, None
        out._fn, out._ctx, out._inputs = fn, ctx, inputs
        return out

    @property
    def unique_id(self) -> int:
        """A number that no other Scalar has.

        It is handed out the first time someone asks, so the many intermediate
        Scalars of a big computation never pay for one.
        """
        if self._unique_id is None:
            self._unique_id = _next_id()
        return self._unique_id

    @property
    def name(self) -> str:
        """The label given at creation, else ``x<unique_id>``."""
        return self._name if self._name is not None else f"x{self.unique_id}"

    @name.setter
    def name(self, value: str | None) -> None:
        self._name = value

    def __repr__(self) -> str:
        return f"Scalar({self.data!r})"

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return self.data

    # ----- arithmetic: each operator is one ScalarFunction ---------------------------
    def __add__(self, b: ScalarLike) -> Scalar:
        return Add.apply(self, b)

    def __radd__(self, b: ScalarLike) -> Scalar:
        return Add.apply(b, self)

    def __sub__(self, b: ScalarLike) -> Scalar:
        return Add.apply(self, Neg.apply(b))

    def __rsub__(self, b: ScalarLike) -> Scalar:
        return Add.apply(b, Neg.apply(self))

    def __mul__(self, b: ScalarLike) -> Scalar:
        return Mul.apply(self, b)

    def __rmul__(self, b: ScalarLike) -> Scalar:
        return Mul.apply(b, self)

    def __truediv__(self, b: ScalarLike) -> Scalar:
        return Mul.apply(self, Inv.apply(b))

    def __rtruediv__(self, b: ScalarLike) -> Scalar:
        return Mul.apply(b, Inv.apply(self))

    def __neg__(self) -> Scalar:
        return Neg.apply(self)

    def __lt__(self, b: ScalarLike) -> Scalar:  # type: ignore[override]
        return LT.apply(self, b)

    def __gt__(self, b: ScalarLike) -> Scalar:  # type: ignore[override]
        return LT.apply(b, self)

    def __eq__(self, b: object) -> Scalar:  # type: ignore[override]
        return EQ.apply(self, b)  # type: ignore[arg-type]

    def log(self) -> Scalar:
        """Natural logarithm (defined for positive values)."""
        return Log.apply(self)

    def exp(self) -> Scalar:
        """``e ** self``."""
        return Exp.apply(self)

    def sigmoid(self) -> Scalar:
        """The logistic function."""
        return Sigmoid.apply(self)

    def relu(self) -> Scalar:
        """``max(self, 0)``."""
        return ReLU.apply(self)

    def log_sigmoid(self) -> Scalar:
        """``log(sigmoid(self))``, stable for large magnitudes."""
        return LogSigmoid.apply(self)

    # ----- the graph -------------------------------------------------------------
    def is_leaf(self) -> bool:
        """True for a Scalar the user created (it has a history but no function)."""
        return self._fn is None and self._inputs is not None

    def is_constant(self) -> bool:
        """True when no derivative is tracked for this Scalar."""
        return self._inputs is None

    @property
    def parents(self) -> Sequence[Scalar]:
        """The Scalars this one was computed from (empty for leaves and constants)."""
        inputs = self._inputs
        return () if inputs is None else inputs

    def accumulate_derivative(self, x: float) -> None:
        """Add ``x`` to ``.derivative``. Only leaves collect derivatives."""
        if not self.is_leaf():
            made_by = "a constant" if self._fn is None else self._fn.__name__
            raise ValueError(
                "accumulate_derivative is only for leaf Scalars (created by the user); "
                f"{self!r} was made by {made_by}"
            )
        if type(x) is not float:
            x = _to_float(x, "accumulate_derivative")
        self.derivative = x if self.derivative is None else self.derivative + x

    def chain_rule(self, d_output: float) -> list[tuple[Scalar, float]]:
        """One step of the chain rule: each (non-constant) input with its derivative.

        Calls ``last_fn.backward(ctx, d_output)``, which returns
        :math:`f'_i(\\ldots) \\times d_{output}` for each input ``i``.
        """
        fn, inputs = self._fn, self._inputs
        if fn is None:
            raise ValueError(f"chain_rule needs a Scalar made by a function; {self!r} is a leaf")
        derivatives = fn.backward(self._ctx, d_output)
        if type(derivatives) is not tuple:  # one input: backward may return a bare float
            derivatives = (derivatives,)
        if len(derivatives) != len(inputs):
            fn._check_derivatives(derivatives, len(inputs))  # raises, naming the function
        pairs = []
        # Lengths were checked above; zip's strict=True would cost more than this whole loop.
        for x, d in zip(inputs, derivatives):  # noqa: B905
            if type(d) is not float:
                (d,) = fn._check_derivatives((d,), 1)  # an int is fine, anything else raises
            if x._inputs is not None:  # constants get no derivative
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


# Imported last: the functions' ``apply`` builds Scalars, and Scalar's operators call them.
from .scalar_functions import (  # noqa: E402
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
    Sigmoid,
)
