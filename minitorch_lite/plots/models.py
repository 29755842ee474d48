"""Datasets and models: points in the unit square, decision boundaries, hidden units,
training curves and the loss as a function of one parameter."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import TwoSlopeNorm

from ..compile import TracingError
from ..compile import compile as compile_function
from ..datasets import Graph
from ..nn import MLP, Epoch, LinearModel, Network
from ..scalar import Scalar
from .style import (
    ACTIVATION_CMAP,
    CYCLE,
    PALETTE,
    SCORE_CMAP,
    WIDTH,
    BookFigure,
    fmt,
    mathify,
    new_figure,
    styled,
    text_scale,
)


def _scatter(ax: Any, graph: Graph, size: float = 36) -> None:
    X = np.array(graph.X, dtype=float).reshape(-1, 2)
    y = np.array(graph.y)
    for label, color, marker, name in ((1, "red", "o", "label 1"), (0, "blue", "s", "label 0")):
        pts = X[y == label]
        if len(pts):
            ax.scatter(pts[:, 0], pts[:, 1], s=size, c=PALETTE[color], marker=marker,
                       edgecolors="black", linewidths=0.6, label=name, zorder=4, clip_on=False)


def _unit_square(ax: Any, title: str | None) -> None:
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$", labelpad=4)  # clear of the "0.5" tick
    ax.grid(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    if title:
        ax.set_title(mathify(title))


@styled
def plot_dataset(
    graph: Graph, title: str | None = None, *, figsize: tuple[float, float] = (3.9, 3.6)
) -> BookFigure:
    """The points of a dataset in the unit square, red for label 1 and blue for label 0."""
    fig = new_figure(*figsize)
    ax = fig.add_subplot()
    _scatter(ax, graph)
    _unit_square(ax, title or f"{graph.N} points")
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    return fig


def _score_at(model: Any) -> Callable[[float, float], float]:
    """``model``'s score at one point, as a function of its two coordinates.

    The model's forward is traced once with :func:`minitorch_lite.compile` and replayed for
    every point: the same float operations in the same order as the engine, so the same
    scores, about a hundred times faster. A model whose graph depends on the point (it
    branches on a value) is run on the engine instead.
    """
    try:
        traced = compile_function(lambda x1, x2: model((x1, x2)), 2)
    except (TracingError, TypeError):  # not traceable, or the score is not a Scalar

        def engine(x1: float, x2: float) -> float:
            s = model((x1, x2))
            return float(getattr(s, "data", s))

        return engine
    return lambda x1, x2: traced(x1, x2)[0]


def score_grid(model: Any, resolution: int = 40) -> np.ndarray:
    """The score ``model(x)`` at the centres of a ``resolution`` × ``resolution`` grid on [0, 1]².

    Row ``i`` is x₂ = (i + ½) / resolution, column ``j`` is x₁; every value is the float a
    forward pass of the model on Scalars gives (see :func:`_score_at`).
    """
    score = _score_at(model)
    centres = (np.arange(resolution) + 0.5) / resolution
    out = np.empty((resolution, resolution))
    for i, x2 in enumerate(centres):
        for j, x1 in enumerate(centres):
            out[i, j] = score(float(x1), float(x2))
    return out


def _boundary(ax: Any, Z: np.ndarray, graph: Graph | None, title: str | None,
              limit: float | None = None, point_size: float = 30) -> Any:
    resolution = Z.shape[0]
    m = limit if limit is not None else max(float(np.abs(Z).max()), 1e-9)
    im = ax.imshow(Z, origin="lower", extent=(0, 1, 0, 1), cmap=SCORE_CMAP,
                   norm=TwoSlopeNorm(0.0, -m, m), interpolation="bilinear", zorder=1)
    if Z.min() < 0 < Z.max():
        c = (np.arange(resolution) + 0.5) / resolution
        ax.contour(c, c, Z, levels=[0.0], colors="black", linewidths=1.6, zorder=2)
    if graph is not None:
        _scatter(ax, graph, size=point_size)
    _unit_square(ax, title)
    return im


@styled
def plot_decision_boundary(
    model: Any,
    graph: Graph | None = None,
    title: str | None = None,
    *,
    resolution: int = 40,
    colorbar: bool = True,
    figsize: tuple[float, float] = (4.6, 3.7),
) -> BookFigure:
    """The model's score over [0, 1]² (red positive, blue negative, white near 0), its
    decision boundary (score 0, black) and the data points on top.

    The map is the score ``model(x)`` evaluated on a ``resolution`` × ``resolution`` grid.
    """
    fig = new_figure(*figsize)
    ax = fig.add_subplot()
    im = _boundary(ax, score_grid(model, resolution), graph, title or "Decision boundary")
    if colorbar:
        cb = fig.colorbar(im, ax=ax, shrink=0.85, pad=0.02)
        cb.set_label("score $m(x)$")
        cb.ax.tick_params(labelsize=10)
    fig.score_grid = im.get_array().data  # type: ignore[attr-defined]
    return fig


@styled
def compare_models(
    models: Sequence[Any],
    graph: Graph | None = None,
    titles: Sequence[str] | None = None,
    *,
    resolution: int = 32,
    figsize: tuple[float, float] | None = None,
) -> BookFigure:
    """Decision-boundary panels side by side, one per model, on a shared colour scale
    (the score ``model(x)`` on a ``resolution`` × ``resolution`` grid each)."""
    n = len(models)
    if n == 0:
        raise ValueError("compare_models needs at least one model")
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig = new_figure(*(figsize or (min(9.0, 2.5 * cols + 0.4), 2.65 * rows + 0.2)))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    grids = [score_grid(model, resolution) for model in models]
    limit = max(max(float(np.abs(Z).max()) for Z in grids), 1e-9)
    for i, Z in enumerate(grids):
        title = titles[i] if titles is not None and i < len(titles) else f"model {i + 1}"
        _boundary(axes[i], Z, graph, title, limit=limit, point_size=22)
        _small_panel(axes[i], left=i % cols == 0, bottom=i + cols >= n)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.score_grids = grids  # type: ignore[attr-defined]
    return fig


def _hidden_units(model: Any) -> tuple[list[str], Callable[[float, float], list[Scalar]]]:
    """Names and a function giving the pre-activations of the first hidden layer (of an
    MLP: on its centred inputs, as its forward computes them)."""
    if isinstance(model, Network):
        return ["unit 1", "unit 2"], lambda a, b: [
            model.unit1.forward((a, b)), model.unit2.forward((a, b))]
    if isinstance(model, MLP):
        n = model.layer1.out_size
        return [f"unit {j + 1}" for j in range(n)], lambda a, b: model.layer1(
            model.centre((a, b)))
    if isinstance(model, LinearModel):
        return ["unit 1"], lambda a, b: [model.forward((a, b))]
    raise TypeError(f"plot_hidden_units needs a Network or an MLP, got {type(model).__name__}")


@styled
def plot_hidden_units(
    model: Any,
    graph: Graph | None = None,
    *,
    resolution: int = 32,
    max_units: int = 8,
    title: str | None = None,
) -> BookFigure:
    """What each first-layer hidden unit does: its ReLU activation over [0, 1]², with the
    line where its pre-activation is 0 (its split of the plane, dashed).

    For a two-unit :class:`~minitorch_lite.Network`, a last panel shows the points moved to
    the hidden space :math:`(h_1, h_2)`, with the classifier's line there.
    """
    names, pre = _hidden_units(model)
    names = names[:max_units]
    k = len(names)
    centres = (np.arange(resolution) + 0.5) / resolution
    acts = np.empty((k, resolution, resolution))
    for u in range(k):  # one unit at a time, each traced once (see _score_at)
        unit = _score_at(lambda x, u=u: pre(*x)[u])
        for i, x2 in enumerate(centres):
            for j, x1 in enumerate(centres):
                acts[u, i, j] = unit(float(x1), float(x2))
    two = isinstance(model, Network)
    panels = k + (1 if two and graph is not None else 0)
    cols = min(panels, 4)
    rows = math.ceil(panels / cols)
    fig = new_figure(min(7.4, 2.3 * cols + 0.2), 2.25 * rows + 0.4)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    top = max(float(np.maximum(acts, 0).max()), 1e-9)
    for u in range(k):
        ax = axes[u]
        ax.imshow(np.maximum(acts[u], 0), origin="lower", extent=(0, 1, 0, 1),
                  cmap=ACTIVATION_CMAP, vmin=0, vmax=top, interpolation="bilinear")
        if acts[u].min() < 0 < acts[u].max():
            ax.contour(centres, centres, acts[u], levels=[0.0], colors=PALETTE["black"],
                       linewidths=1.4, linestyles="--")
        if graph is not None:
            _scatter(ax, graph, size=12)
        _unit_square(ax, _fitting(
            [f"$h_{{{u + 1}}}$ = ReLU({names[u]})", f"$h_{{{u + 1}}}$"] if two else
            [f"$h_{{{u + 1}}}$"], fig.get_figwidth() / cols, 10.5))
        _small_panel(ax, left=u % cols == 0, bottom=u + cols >= panels)
    if two and graph is not None:
        _hidden_space(axes[k], model, graph)
        _small_panel(axes[k], left=False, bottom=True, xlabel="$h_1$", ylabel="$h_2$")
    for ax in axes[panels:]:
        ax.set_visible(False)
    fig.suptitle(title or "What each hidden unit computes", fontsize=12, fontweight="bold")
    note = "Shade: the unit's ReLU activation (white = 0). Dashed: where it turns on." + (
        " Right: the points moved to the hidden space, over the classifier's score."
        if two and graph is not None else "")
    per_line = int(fig.get_figwidth() / (0.56 * 9.5 * text_scale() / 72))
    lines = textwrap.wrap(note, per_line)
    fig.set_figheight(fig.get_figheight() + 0.17 * len(lines))
    fig.supxlabel("\n".join(lines), fontsize=9.5, color="#333333")
    fig.activations = acts  # type: ignore[attr-defined]
    return fig


def _fitting(titles: list[str], width: float, size: float) -> str:
    """The first of ``titles`` (longest first) that fits ``width`` inches at ``size`` points
    (times the text scale), else the last."""
    for title in titles:
        plain = title.replace("$", "").replace("_", "").replace("{", "").replace("}", "")
        if len(plain) * 0.68 * size * text_scale() / 72 <= width * 0.92:  # bold titles
            return title
    return titles[-1]


def _small_panel(ax: Any, left: bool, bottom: bool, xlabel: str = "$x_1$",
                 ylabel: str = "$x_2$") -> None:
    """Sparse ticks, and axis labels only on the outer panels of a grid."""
    ax.title.set_fontsize(10.5)
    ax.tick_params(labelsize=10)
    if ax.get_xlim() == (0.0, 1.0):
        ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
    ax.set_xlabel(xlabel if bottom else "", fontsize=10)
    ax.set_ylabel(ylabel if left or xlabel != "$x_1$" else "", fontsize=10, labelpad=1)


def _hidden_space(ax: Any, model: Network, graph: Graph, resolution: int = 30) -> None:
    """The points at (h1, h2), over the classifier's score on that plane."""
    H = np.array([[model.unit1.forward(x).relu().data, model.unit2.forward(x).relu().data]
                  for x in graph.X])
    lim = max(1e-6, float(H.max())) * 1.1
    centres = (np.arange(resolution) + 0.5) / resolution * lim
    Z = np.array([[model.classify.forward((float(a), float(b))).data for a in centres]
                  for b in centres])
    m = max(float(np.abs(Z).max()), 1e-9)
    ax.imshow(Z, origin="lower", extent=(0, lim, 0, lim), cmap=SCORE_CMAP,
              norm=TwoSlopeNorm(0.0, -m, m), interpolation="bilinear", zorder=1)
    if Z.min() < 0 < Z.max():
        ax.contour(centres, centres, Z, levels=[0.0], colors="black", linewidths=1.4, zorder=2)
    y = np.array(graph.y)
    for label, color, marker in ((1, "red", "o"), (0, "blue", "s")):
        pts = H[y == label]
        if len(pts):
            ax.scatter(pts[:, 0], pts[:, 1], s=14, c=PALETTE[color], marker=marker,
                       edgecolors="black", linewidths=0.5, zorder=4, clip_on=False)
    ax.set_xlim(0, lim)
    ax.set_ylim(0, lim)
    ax.set_aspect("equal")
    ax.grid(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    width = ax.figure.get_figwidth() * ax.get_position().width
    ax.set_title(_fitting(["hidden space $(h_1, h_2)$", "hidden space"], width, 10.5),
                 fontsize=10.5)


@styled
def plot_training(
    log: Sequence[Epoch] | Mapping[str, Sequence[Epoch]],
    title: str | None = None,
    *,
    figsize: tuple[float, float] = (WIDTH, 3.0),
) -> BookFigure:
    """Loss and accuracy against epoch, from :func:`minitorch_lite.train`'s records.

    Pass a dict ``{name: log}`` to compare several runs.
    """
    logs = dict(log) if isinstance(log, Mapping) else {"": list(log)}
    fig = new_figure(*figsize)
    ax_loss, ax_acc = fig.subplots(1, 2)
    for i, (name, records) in enumerate(logs.items()):
        if not records:
            raise ValueError("plot_training needs at least one Epoch record")
        ep = [r.epoch for r in records]
        color = CYCLE[i % len(CYCLE)]
        ax_loss.plot(ep, [r.loss for r in records], color=color, label=name or None)
        ax_acc.plot(ep, [100 * r.accuracy for r in records], color=color, label=name or None)
    ax_loss.set_title("Loss")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylim(bottom=0)
    ax_acc.set_title("Accuracy")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("%")
    ax_acc.set_ylim(0, 102)
    if len(logs) > 1:  # below the panels, where it covers no curve
        fig.legend(*ax_acc.get_legend_handles_labels(), loc="outside lower center",
                   ncol=min(len(logs), 3), frameon=False)
    if title:
        fig.suptitle(mathify(title), fontsize=12, fontweight="bold")
    return fig


@styled
def show_loss(
    full_loss: Callable[[Any], Any],
    model: Any,
    parameter: str = "b",
    values: Sequence[float] | None = None,
    *,
    title: str | None = None,
    figsize: tuple[float, float] = (WIDTH, 3.4),
) -> BookFigure:
    """The loss as a function of one parameter (the others fixed), its current value marked.

    ``full_loss(model)`` is called for each value of ``model``'s parameter ``parameter``
    (a name from ``named_parameters()``); the parameter is restored afterwards.
    """
    params = dict(model.named_parameters())
    if parameter not in params:
        raise KeyError(f"{parameter!r} is not a parameter of the model; it has {list(params)}")
    p = params[parameter]
    original = p.value
    now = float(original.data)
    if values is None:
        values = list(np.linspace(now - 3, now + 3, 61))
    losses = []
    try:
        for v in values:
            p.update(Scalar(float(v)))
            loss = full_loss(model)
            losses.append(float(getattr(loss, "data", loss)))
        p.update(original)
        current = full_loss(model)
        current = float(getattr(current, "data", current))
    finally:
        p.update(original)
    fig = new_figure(*figsize)
    ax = fig.add_subplot()
    ax.plot(values, losses, color=PALETTE["blue"], label="loss")
    ax.scatter([now], [current], s=70, color=PALETTE["red"], edgecolor="black", zorder=4,
               label=f"now: {parameter} = {fmt(now)}")
    ax.set_xlabel(f"parameter {parameter}")
    ax.set_ylabel(r"loss $L$")
    ax.set_title(mathify(title or f"Loss as a function of {parameter}"))
    ax.legend(loc="best")
    return fig

