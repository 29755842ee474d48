"""ScalarFunctions: each box of the computation graph, forward and backward side by side.

A ScalarFunction is a class with two static methods:

* ``forward(ctx, *xs)`` computes :math:`f` on plain floats and may save values in
  ``ctx`` for later;
* ``backward(ctx, d)`` returns :math:`f'_i \\times d` for every input ``i``: one
  float for a one-argument function, a tuple for several.

Users call ``apply``, which unwraps Scalars, calls ``forward``, and wraps the result
in a new Scalar that remembers this function, the context and the inputs.
"""

from __future__ import annotations

from typing import Any

from . import operators, scalar
from .autodiff import Context


def _not_a_number(value: Any, fn: type, method: str) -> TypeError:
    """The error for a ``forward`` or ``backward`` that returned something else than a number."""
    return TypeError(
        f"{fn.__name__}.{method} must return a float, got {type(value).__name__} {value!r}"
    )


class ScalarFunction:
    """Base class of every function on Scalars. Subclasses define forward and backward."""

    @staticmethod
    def forward(ctx: Context, *inputs: float) -> float:
        """:math:`f(x_1, \\ldots)` on floats. Save what ``backward`` needs in ``ctx``."""
        raise NotImplementedError("a ScalarFunction must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float | tuple[float, ...]:
        """:math:`f'_i \\times d_{output}` for each input ``i``."""
        raise NotImplementedError("a ScalarFunction must define backward(ctx, d_output)")

    @classmethod
    def apply(cls, *vals: scalar.ScalarLike) -> scalar.Scalar:
        """Run ``forward`` on the values and record the call in the result's history.

        Plain numbers become leaf Scalars. If no input needs a derivative (all are
        constants), the result is a constant too: there is nothing to record.
        """
        inputs = []  # the values as Scalars
        unwrapped = []  # 1. unwrap: Scalars -> floats
        need_grad = False
        for v in vals:
            x = v if isinstance(v, scalar.Scalar) else scalar.Scalar(v)
            inputs.append(x)
            unwrapped.append(x.data)
            need_grad = need_grad or not x.is_constant()
        ctx = Context(not need_grad)  # fresh scratch space for forward (no_grad)
        new = cls.forward(ctx, *unwrapped)  # 2. call forward on floats
        if isinstance(new, bool) or not isinstance(new, (int, float)):
            raise _not_a_number(new, cls, "forward")
        if not need_grad:
            return scalar.Scalar(new, None)  # a constant: nothing to record
        history = scalar.ScalarHistory(cls, ctx, inputs)  # 3. record
        return scalar.Scalar(new, history)  # 4. wrap the result


class Add(ScalarFunction):
    """:math:`f(x, y) = x + y`"""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        return a + b

    @staticmethod
    def backward(ctx: Context, d_output: float) -> tuple[float, float]:
        return d_output, d_output


class Mul(ScalarFunction):
    """:math:`f(x, y) = x \\times y`"""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, d_output: float) -> tuple[float, float]:
        a, b = ctx.saved_values
        return b * d_output, a * d_output


class Inv(ScalarFunction):
    """:math:`f(x) = 1/x`"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return operators.inv(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return operators.inv_back(a, d_output)


class Neg(ScalarFunction):
    """:math:`f(x) = -x`"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        return -a

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        return -d_output


class Log(ScalarFunction):
    """:math:`f(x) = \\log(x)`"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return operators.log(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return operators.log_back(a, d_output)


class Exp(ScalarFunction):
    """:math:`f(x) = e^{x}`"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        out = operators.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (out,) = ctx.saved_values
        return out * d_output


class Sigmoid(ScalarFunction):
    """:math:`f(x) = \\sigma(x) = 1 / (1 + e^{-x})`"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        out = operators.sigmoid(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (s,) = ctx.saved_values
        return s * (1.0 - s) * d_output


class ReLU(ScalarFunction):
    """:math:`f(x) = \\max(x, 0)`"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return a if a > 0.0 else 0.0

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return d_output if a > 0.0 else 0.0


class LogSigmoid(ScalarFunction):
    """:math:`f(x) = \\log \\sigma(x)`, stable where :math:`\\sigma` saturates"""

    @staticmethod
    def forward(ctx: Context, a: float) -> float:
        ctx.save_for_backward(a)
        return operators.log_sigmoid(a)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> float:
        (a,) = ctx.saved_values
        return operators.sigmoid(-a) * d_output  # d/dx log sigma(x) = 1 - sigma(x)


class LT(ScalarFunction):
    """:math:`f(x, y) = 1` if :math:`x < y` else :math:`0` (derivative 0 everywhere)"""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        return operators.lt(a, b)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> tuple[float, float]:
        return 0.0, 0.0


class EQ(ScalarFunction):
    """:math:`f(x, y) = 1` if :math:`x = y` else :math:`0` (derivative 0 everywhere)"""

    @staticmethod
    def forward(ctx: Context, a: float, b: float) -> float:
        return operators.eq(a, b)

    @staticmethod
    def backward(ctx: Context, d_output: float) -> tuple[float, float]:
        return 0.0, 0.0
