"""Toy 2-D datasets: N points in the unit square, each labelled 0 or 1.

Every generator takes the number of points ``N`` and a ``seed``; the same
arguments always give the same points. ``datasets`` maps display names to
generators, e.g. ``datasets["Xor"](50)``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Graph:
    """A dataset: ``N`` points ``X`` with labels ``y`` (0 or 1)."""

    N: int
    X: list[Point]
    y: list[int]


def _check_n(N: int) -> None:
    if isinstance(N, bool) or not isinstance(N, int) or N < 1:
        raise ValueError(f"N must be a positive whole number of points, got {N!r}")


def _points(N: int, seed: int) -> list[Point]:
    _check_n(N)
    rng = random.Random(seed)
    return [(rng.random(), rng.random()) for _ in range(N)]


def _labelled(N: int, seed: int, rule: Callable[[float, float], bool]) -> Graph:
    X = _points(N, seed)
    return Graph(N, X, [1 if rule(x1, x2) else 0 for x1, x2 in X])


def simple(N: int, seed: int = 0) -> Graph:
    """Label 1 left of the vertical line x₁ = 0.5."""
    return _labelled(N, seed, lambda x1, x2: x1 < 0.5)


def diag(N: int, seed: int = 0) -> Graph:
    """Label 1 below the diagonal x₁ + x₂ = 0.5 (a corner)."""
    return _labelled(N, seed, lambda x1, x2: x1 + x2 < 0.5)


def split(N: int, seed: int = 0) -> Graph:
    """Label 1 in the two outer vertical bands x₁ < 0.2 and x₁ > 0.8."""
    return _labelled(N, seed, lambda x1, x2: x1 < 0.2 or x1 > 0.8)


def xor(N: int, seed: int = 0) -> Graph:
    """Label 1 in the top-left and bottom-right quadrants."""
    return _labelled(N, seed, lambda x1, x2: (x1 < 0.5) != (x2 < 0.5))


def circle(N: int, seed: int = 0) -> Graph:
    """Label 1 outside a circle of radius √0.1 around the centre."""
    return _labelled(N, seed, lambda x1, x2: (x1 - 0.5) ** 2 + (x2 - 0.5) ** 2 > 0.1)


def spiral(N: int, seed: int = 0) -> Graph:
    """Two interleaved spiral arms, one per label, with a little seeded jitter."""
    _check_n(N)
    rng = random.Random(seed)
    X: list[Point] = []
    y: list[int] = []
    for i in range(N):
        label = i % 2
        t = (i // 2) / max(1, (N - 1) // 2)  # 0 → 1 along the arm
        angle = 1.25 * math.pi * 2 * t + label * math.pi
        radius = 0.05 + 0.4 * t
        x1 = 0.5 + radius * math.cos(angle) + rng.uniform(-0.015, 0.015)
        x2 = 0.5 + radius * math.sin(angle) + rng.uniform(-0.015, 0.015)
        X.append((min(1.0, max(0.0, x1)), min(1.0, max(0.0, x2))))
        y.append(label)
    return Graph(N, X, y)


datasets: dict[str, Callable[..., Graph]] = {
    "Simple": simple,
    "Diag": diag,
    "Split": split,
    "Xor": xor,
    "Circle": circle,
    "Spiral": spiral,
}
