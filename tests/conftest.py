"""Shared fixtures for the minitorch_lite tests.

The user-defined ScalarFunctions below are the seeds' lecture examples (``TimesFive``,
``AddTimes2``, ``Square``), written the way a student writes them, with the seeds' bug fixed:
``ctx.saved_values`` is a tuple, so ``(x,) = ctx.saved_values``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import minitorch_lite as minitorch

# Deadlines are off: timing belongs to the benchmark, not the tests. The example counts keep
# the whole suite fast on two cores; HYPOTHESIS_PROFILE=thorough runs many more.
settings.register_profile(
    "default",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


class TimesFive(minitorch.ScalarFunction):
    """f(x) = 5x, one input, backward returns a bare float."""

    @staticmethod
    def forward(ctx: minitorch.Context, x: float) -> float:
        return x * 5

    @staticmethod
    def backward(ctx: minitorch.Context, d_out: float) -> float:
        return 5 * d_out


class AddTimes2(minitorch.ScalarFunction):
    """f(x, y) = x + 2y, two inputs, backward returns a pair."""

    @staticmethod
    def forward(ctx: minitorch.Context, x: float, y: float) -> float:
        return x + 2 * y

    @staticmethod
    def backward(ctx: minitorch.Context, d_out: float) -> tuple[float, float]:
        return d_out, 2 * d_out


class Square(minitorch.ScalarFunction):
    """f(x) = x^2, saves its input on the context."""

    @staticmethod
    def forward(ctx: minitorch.Context, x: float) -> float:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: minitorch.Context, d_out: float) -> float:
        (x,) = ctx.saved_values
        return 2 * x * d_out


# Session scope: the classes are stateless, and hypothesis tests may use them.
@pytest.fixture(scope="session")
def times_five() -> type[minitorch.ScalarFunction]:
    return TimesFive


@pytest.fixture(scope="session")
def add_times2() -> type[minitorch.ScalarFunction]:
    return AddTimes2


@pytest.fixture(scope="session")
def square() -> type[minitorch.ScalarFunction]:
    return Square


@pytest.fixture
def teaching_network() -> minitorch.Module:
    """Seed 003's model: ``unit1``, ``unit2``, ``classify``, every parameter 0.0."""
    return minitorch.Network()
