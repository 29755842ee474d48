"""Optimizers: turn derivatives into parameter updates."""

from __future__ import annotations

from collections.abc import Iterable

from .module import Parameter
from .scalar import Scalar


class SGD:
    """Stochastic gradient descent: ``value -= lr * derivative`` for each parameter.

    Call :meth:`zero_grad` before each backward pass: derivatives accumulate.
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
                p.update(Scalar(v.data - self.lr * v.derivative, name=v._name))
