"""Functions and their derivatives: curves, surfaces, and the central difference at work."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ..autodiff import central_difference
from .style import (
    PALETTE,
    WIDTH,
    BookFigure,
    fmt,
    mathify,
    new_figure,
    styled,
    tex,
    text_scale,
)


def _sample(fn: Callable[[float], float], xs: np.ndarray) -> np.ndarray:
    out = []
    for x in xs:
        try:
            y = fn(float(x))
            out.append(float(getattr(y, "data", y)))
        except (ValueError, ZeroDivisionError, OverflowError):
            out.append(math.nan)
    return np.array(out)


@styled
def plot_function(
    title: str,
    fn: Callable[[float], float],
    fn2: Callable[[float], float] | None = None,
    xlim: tuple[float, float] = (-4, 4),
    *,
    ylim: tuple[float, float] | None = None,
    label: str = "$f(x)$",
    label2: str | None = None,
    xlabel: str = "$x$",
    ylabel: str | None = None,
    positive: Sequence[float] = (),
    negative: Sequence[float] = (),
    points: int = 200,
    figsize: tuple[float, float] = (WIDTH, 3.6),
) -> BookFigure:
    """Plot ``fn`` (and optionally ``fn2``, e.g. a tangent line or the derivative) over ``xlim``.

    A legend appears when ``label`` or ``label2`` is given (mathtext, e.g. ``"$f'(x)$"``).
    ``positive`` and ``negative`` mark x positions on the curve as red / blue points (the
    lecture's point-loss pictures). Functions may return floats or Scalars.
    """
    fig = new_figure(*figsize)
    ax = fig.add_subplot()
    xs = np.linspace(xlim[0], xlim[1], points)
    ax.plot(xs, _sample(fn, xs), color=PALETTE["blue"], label=label, zorder=3)
    if fn2 is not None:
        ax.plot(
            xs,
            _sample(fn2, xs),
            color=PALETTE["red"],
            linestyle="--",
            label=label2,
            zorder=3,
        )
    for marks, color, marker in ((positive, "red", "o"), (negative, "blue", "s")):
        if marks:
            mx = np.array(marks, dtype=float)
            ax.scatter(
                mx,
                _sample(fn, mx),
                s=70,
                color=PALETTE[color],
                marker=marker,
                edgecolor="black",
                linewidth=0.8,
                zorder=4,
            )
    ax.axhline(0, color="#999999", linewidth=0.8, zorder=1)
    ax.axvline(0, color="#999999", linewidth=0.8, zorder=1)
    ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(mathify(title))
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if label2 is not None or label != "$f(x)$":
        fig.legend(loc="outside lower center", ncol=2, frameon=False)  # covers no curve
    return fig


@styled
def plot_function3D(
    title: str,
    fn: Callable[[float, float], float],
    xlim: tuple[float, float] = (-3, 3),
    ylim: tuple[float, float] = (-3, 3),
    *,
    points: int = 31,
    zlabel: str = "$f(x, y)$",
    figsize: tuple[float, float] = (5.4, 4.2),
) -> BookFigure:
    """Surface of a two-argument function ``fn(x, y)`` over ``xlim`` × ``ylim``."""
    fig = BookFigure(figsize=figsize, layout=None)
    ax = fig.add_axes((-0.04, -0.04, 1.02, 1.0), projection="3d")
    xs = np.linspace(xlim[0], xlim[1], points)
    ys = np.linspace(ylim[0], ylim[1], points)
    X, Y = np.meshgrid(xs, ys)
    Z = np.array([[float(getattr(v := fn(a, b), "data", v)) for a in xs] for b in ys])
    ax.plot_surface(X, Y, Z, cmap="viridis", rstride=1, cstride=1, linewidth=0,
                    antialiased=False, shade=True)
    # Labels clear of the tick labels, however large the text (slides scale it).
    # Few ticks, and labels clear of them, however large the text (slides scale it). The
    # z axis is named in the corner (a z label beside the ticks would leave the figure).
    from matplotlib.ticker import MaxNLocator

    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(4))
    pad = 2 * text_scale()
    ax.set_xlabel("$x$", labelpad=3 * pad)
    ax.set_ylabel("$y$", labelpad=3 * pad)
    ax.tick_params(pad=pad, labelsize=9)
    fig.text(0.97, 0.86, f"height: {zlabel}", ha="right", va="top", fontsize=10)
    fig.suptitle(mathify(title), y=0.97, fontsize=12, fontweight="bold")
    ax.view_init(elev=28, azim=-55)
    ax.set_box_aspect(None, zoom=0.92)
    return fig


@styled
def plot_central_difference(
    fn: Callable[[float], float],
    x: float,
    epsilon: float,
    true_derivative: float | None = None,
    *,
    xlim: tuple[float, float] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (WIDTH, 3.8),
) -> BookFigure:
    r"""The secant through :math:`x \pm \epsilon` against the tangent at ``x``.

    The secant's slope is :func:`minitorch_lite.central_difference` of ``fn`` at ``x`` with
    this ``epsilon``; the tangent (drawn when ``true_derivative`` is given) has the true slope.
    """
    slope = central_difference(fn, x, epsilon=epsilon)
    fx = _sample(fn, np.array([x]))[0]
    lo, hi = _sample(fn, np.array([x - epsilon, x + epsilon]))
    if xlim is None:
        half = max(2.0 * epsilon, 1.5)
        xlim = (x - half, x + half)
    fig = new_figure(*figsize)
    ax = fig.add_subplot()
    xs = np.linspace(xlim[0], xlim[1], 300)
    ys = _sample(fn, xs)
    ax.axvspan(x - epsilon, x + epsilon, color=PALETTE["orange"], alpha=0.15, linewidth=0)
    ax.plot(xs, ys, color=PALETTE["black"], label="$f(x)$", zorder=3)
    # The secant through (x - ε, f(x - ε)) and (x + ε, f(x + ε)); its slope is the
    # central difference.
    ax.plot(xs, lo + slope * (xs - (x - epsilon)), color=PALETTE["red"], linestyle="--",
            label=f"secant through $x \\pm \\epsilon$: slope {fmt(slope)}", zorder=4)
    if true_derivative is not None:
        ax.plot(xs, fx + true_derivative * (xs - x), color=PALETTE["blue"], linestyle=":",
                linewidth=2.8, label=f"tangent at $x$: slope {fmt(true_derivative)}", zorder=4)
    ax.scatter([x - epsilon, x + epsilon], [lo, hi], color=PALETTE["red"], s=45, zorder=5,
               edgecolor="black", linewidth=0.6)
    ax.scatter([x], [fx], color=PALETTE["black"], s=40, zorder=5)
    finite = ys[np.isfinite(ys)]
    if finite.size:
        pad = 0.12 * (finite.max() - finite.min() or 1.0)
        ax.set_ylim(finite.min() - pad, finite.max() + pad)
    ax.set_xlim(*xlim)
    ax.set_xlabel("$x$")
    ax.set_title(mathify(
        title or f"Central difference at $x = {tex(x)}$ with $\\epsilon = {tex(epsilon)}$"))
    fig.legend(loc="outside lower center", ncol=3 if true_derivative is None else 2,
               frameon=False, fontsize=10)
    return fig


@styled
def plot_derivative_comparison(
    fn: Callable[[float], float],
    dfn: Callable[[float], float],
    epsilons: Sequence[float] = (1.0, 0.3, 1e-6),
    xlim: tuple[float, float] = (-4, 4),
    *,
    title: str = "Central difference vs the true derivative",
    figsize: tuple[float, float] = (WIDTH, 3.8),
) -> BookFigure:
    """The true derivative ``dfn`` against central differences of ``fn`` for several ε."""
    fig = new_figure(*figsize)
    ax = fig.add_subplot()
    xs = np.linspace(xlim[0], xlim[1], 200)
    ax.plot(xs, _sample(dfn, xs), color=PALETTE["black"], linewidth=3.2, label="$f'(x)$")
    styles = ["--", "-.", ":", (0, (5, 1))]
    colors = [PALETTE[c] for c in ("red", "blue", "green", "orange")]
    for i, eps in enumerate(epsilons):
        ys = _sample(lambda v, e=eps: central_difference(fn, v, epsilon=e), xs)
        ax.plot(
            xs,
            ys,
            linestyle=styles[i % len(styles)],
            color=colors[i % len(colors)],
            label=f"central difference, $\\epsilon = {tex(eps)}$",
        )
    ax.set_xlim(*xlim)
    ax.set_xlabel("$x$")
    ax.set_title(mathify(title))
    fig.legend(loc="outside lower center", ncol=2, frameon=False, fontsize=10)
    return fig


@styled
def plot_epsilon_error(
    fn: Callable[[float], float],
    dfn: Callable[[float], float],
    x: float = 1.0,
    epsilons: Sequence[float] | None = None,
    *,
    title: str | None = None,
    figsize: tuple[float, float] = (WIDTH, 3.8),
) -> BookFigure:
    """Error of the central difference at ``x`` against ε, on a log-log plot.

    Too small an ε and round-off dominates (error grows like 1/ε); too large and the
    truncation error of the approximation dominates (grows like ε²).
    """
    if epsilons is None:
        epsilons = [10.0 ** (-k / 4) for k in range(0, 64 + 1)]  # 1 … 1e-16
    eps = np.array(sorted(epsilons), dtype=float)
    truth = float(dfn(x))
    errors = np.array([abs(central_difference(fn, x, epsilon=e) - truth) for e in eps])
    floor = np.finfo(float).eps * max(1.0, abs(truth))
    exact = errors == 0
    fig = new_figure(*figsize)
    ax = fig.add_subplot()
    ax.loglog(eps, np.maximum(errors, floor), color=PALETTE["blue"], marker="o", markersize=3.5)
    if exact.any():
        ax.scatter(eps[exact], np.full(exact.sum(), floor), color=PALETTE["grey"], s=14, zorder=4)
    best = int(np.argmin(np.where(exact, np.inf, errors))) if not exact.all() else 0
    ax.axvline(eps[best], color=PALETTE["green"], linestyle=":", linewidth=1.8,
               label=f"smallest error: $\\epsilon \\approx {tex(eps[best])}$")
    fig.legend(loc="outside lower center", ncol=2, frameon=False)  # off the curve
    # The notes sit in the bottom corners, below the two arms of the V, in short lines so
    # that they stay clear of the curve even in a slide's larger text.
    note = {"transform": ax.transAxes, "va": "bottom", "color": PALETTE["red"], "fontsize": 10}
    ax.text(0.01, 0.05, "$\\epsilon$ too\nsmall:\nround-off\nerror", ha="left", **note)
    ax.text(0.995, 0.05, "$\\epsilon$ too\nlarge:\ntruncation\nerror", ha="right", **note)
    ax.set_xlabel(r"$\epsilon$")
    ax.set_ylabel("|central difference − $f'(x)$|")
    ax.set_title(mathify(title or f"Error of the central difference at $x = {tex(x)}$"))
    ax.grid(True, which="major")
    return fig

