"""Optimizers: turn derivatives into parameter updates."""

from __future__ import annotations

from collections.abc import Iterable

from .module import Parameter
from .scalar import Scalar


class SGD:
    """Gradient descent: ``value.data -= lr * value.derivative`` for each parameter.

    The update happens in place, as PyTorch's ``SGD`` does: each parameter keeps the same
    ``Scalar`` from step to step, and so keeps its ``derivative`` too. ``backward`` *adds*
    to a leaf's derivative, so call :meth:`zero_grad` before each backward pass; forget it
    and every step uses the sum of all earlier gradients.

    The name is the field's: *stochastic* gradient descent steps on the gradient of a random
    batch of the data. Given all the data at once (as this book's training does), it is
    plain gradient descent.
    """

    def __init__(self, parameters: Iterable[Parameter], lr: float = 1.0) -> None:
        self.parameters = list(parameters)
        for p in self.parameters:
            if not isinstance(p, Parameter):
                raise TypeError(f"SGD expects Parameters, got {type(p).__name__} {p!r}")
        if not isinstance(lr, int | float) or isinstance(lr, bool) or lr <= 0:
            raise ValueError(f"learning rate must be a positive number, got {lr!r}")
        self.lr = float(lr)

    def zero_grad(self) -> None:
        """Forget the derivatives of every parameter."""
        for p in self.parameters:
            if isinstance(p.value, Scalar):
                p.value.derivative = None

    def step(self) -> None:
        """Move every parameter a step of size ``lr`` against its derivative."""
        for p in self.parameters:
            v = p.value
            if isinstance(v, Scalar) and v.derivative is not None:
                v.data = v.data - self.lr * v.derivative
