"""Tests for the toy datasets: size, bounds, labels, reproducibility, and the name table."""

from __future__ import annotations

import pytest

import minitorch_lite as minitorch
from minitorch_lite.datasets import Graph, circle, diag, simple, spiral, split, xor

GENERATORS = {
    "Simple": simple,
    "Diag": diag,
    "Split": split,
    "Xor": xor,
    "Circle": circle,
    "Spiral": spiral,
}

ids = list(GENERATORS)
params = list(GENERATORS.values())


def test_datasets_dict_names() -> None:
    assert isinstance(minitorch.datasets, dict)
    assert set(minitorch.datasets) == set(GENERATORS)
    for name, fn in GENERATORS.items():
        assert minitorch.datasets[name] is fn


def test_graph_is_exported() -> None:
    assert minitorch.Graph is Graph
    g = Graph(2, [(0.1, 0.2), (0.3, 0.4)], [0, 1])
    assert (g.N, g.X, g.y) == (2, [(0.1, 0.2), (0.3, 0.4)], [0, 1])


@pytest.mark.parametrize("fn", params, ids=ids)
@pytest.mark.parametrize("n", [1, 2, 3, 7, 50, 51, 200])
def test_exactly_n_points_in_the_unit_square(fn, n: int) -> None:
    g = fn(n)
    assert isinstance(g, Graph)
    assert g.N == n
    assert len(g.X) == n and len(g.y) == n
    for point in g.X:
        assert len(point) == 2
        x1, x2 = point
        assert 0.0 <= x1 <= 1.0 and 0.0 <= x2 <= 1.0
    assert all(label in (0, 1) for label in g.y)


@pytest.mark.parametrize("fn", params, ids=ids)
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_both_classes_present(fn, seed: int) -> None:
    g = fn(100, seed=seed)
    assert set(g.y) == {0, 1}
    # Neither class is a token few points.
    assert 5 <= sum(g.y) <= 95


@pytest.mark.parametrize("fn", params, ids=ids)
def test_reproducible_from_seed(fn) -> None:
    a, b = fn(60, seed=7), fn(60, seed=7)
    assert a.X == b.X and a.y == b.y
    assert fn(60).X == fn(60).X  # the default seed is fixed too


@pytest.mark.parametrize("fn", params, ids=ids)
def test_different_seeds_differ(fn) -> None:
    assert fn(60, seed=1).X != fn(60, seed=2).X


@pytest.mark.parametrize("fn", params, ids=ids)
def test_points_are_spread_out(fn) -> None:
    g = fn(200, seed=0)
    assert len(set(g.X)) == 200  # no duplicates
    for axis in (0, 1):
        values = [p[axis] for p in g.X]
        assert max(values) - min(values) > 0.5


def test_datasets_differ_from_each_other() -> None:
    labelings = {name: tuple(fn(100, seed=0).y) for name, fn in GENERATORS.items()}
    assert len(set(labelings.values())) == len(labelings)


def test_simple_is_separable_by_a_vertical_line() -> None:
    # The "simple" dataset must be learnable by the linear model: a line splits it.
    g = simple(200, seed=3)
    best = max(
        sum((x1 < t) == (y == 1) for (x1, _), y in zip(g.X, g.y, strict=True)) / g.N
        for t in [i / 100 for i in range(101)]
    )
    flipped = max(
        sum((x1 >= t) == (y == 1) for (x1, _), y in zip(g.X, g.y, strict=True)) / g.N
        for t in [i / 100 for i in range(101)]
    )
    assert max(best, flipped) == 1.0


def test_xor_is_not_linearly_separable_by_an_axis() -> None:
    g = xor(200, seed=0)
    for axis in (0, 1):
        for t in [i / 20 for i in range(21)]:
            acc = sum((p[axis] < t) == (y == 1) for p, y in zip(g.X, g.y, strict=True)) / g.N
            assert 0.2 < acc < 0.8


@pytest.mark.parametrize("bad", [-5, 2.5, "10", None])
def test_bad_n(bad) -> None:
    with pytest.raises((ValueError, TypeError)):
        simple(bad)
