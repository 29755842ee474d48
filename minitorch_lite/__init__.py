"""minitorch_lite: a small scalar autodiff library for learning how autodiff works.

Use it the way the MiniTorch course does::

    import minitorch_lite as minitorch

    x = minitorch.Scalar(2.0, name="x")
    y = x * x + 1.0
    y.backward()
    x.derivative  # 4.0

The core is pure Python with no third-party imports. Figures live in
``minitorch_lite.plots`` (needs matplotlib, the ``plots`` extra).
"""

from . import operators
from .autodiff import Context, backpropagate, central_difference, topological_sort
from .compile import compile  # noqa: A004 (shadows the builtin in this namespace only)
from .datasets import Graph, datasets
from .module import Module, Parameter
from .nn import MLP, Epoch, Linear, LinearModel, Network, accuracy, bce_loss, train
from .optim import SGD
from .scalar import Scalar, ScalarHistory, derivative_check
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

__version__ = "0.1.0"

__all__ = [
    "EQ",
    "LT",
    "MLP",
    "SGD",
    "Add",
    "Context",
    "Epoch",
    "Exp",
    "Graph",
    "Inv",
    "Linear",
    "LinearModel",
    "Log",
    "LogSigmoid",
    "Module",
    "Mul",
    "Neg",
    "Network",
    "Parameter",
    "ReLU",
    "Scalar",
    "ScalarFunction",
    "ScalarHistory",
    "Sigmoid",
    "accuracy",
    "backpropagate",
    "compile",
    "bce_loss",
    "central_difference",
    "datasets",
    "derivative_check",
    "operators",
    "topological_sort",
    "train",
]
