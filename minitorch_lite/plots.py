"""Figures for the book and the slide decks, computed from ``minitorch_lite`` itself.

Needs matplotlib (the package's ``plots`` extra); ``import minitorch_lite`` never loads
this module. Every function returns a :class:`BookFigure`: a plain
:class:`matplotlib.figure.Figure` (not managed by pyplot, so a notebook cell ending in
``plots.plot_function(...)`` shows it exactly once) with an opaque white background that
stays legible in dark themes, and a PNG representation tuned for small page weight.

Colours follow the lectures: red is label 1 (a positive score), blue is label 0 (a negative
score), picked from the colour-blind-safe Okabe-Ito palette; the two labels also differ in
marker shape.

* functions: :func:`plot_function`, :func:`plot_function3D`, :func:`plot_central_difference`,
  :func:`plot_derivative_comparison`, :func:`plot_epsilon_error`;
* autodiff: :func:`draw_boxes`, :func:`draw_graph`, :func:`backprop_frames` /
  :func:`draw_backprop_step` (with :func:`backprop_steps`, :func:`graph_layout`);
* networks: :func:`plot_dataset`, :func:`plot_decision_boundary`, :func:`compare_models`,
  :func:`plot_hidden_units`, :func:`plot_training`, :func:`show_loss`, :func:`hcat`.

Alt text is not something a PNG output can carry through myst-nb: give it in the cell's
metadata (``mystnb: image: alt: ...``).
"""

from __future__ import annotations

import functools
import io
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, ParamSpec, TypeVar

import matplotlib
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .autodiff import central_difference, topological_sort
from .datasets import Graph
from .nn import MLP, Epoch, LinearModule, Network
from .scalar import Scalar

__all__ = [
    "PALETTE",
    "BookFigure",
    "BackpropStep",
    "GraphLayout",
    "backprop_frames",
    "backprop_steps",
    "compare_models",
    "draw_backprop_step",
    "draw_boxes",
    "draw_graph",
    "graph_layout",
    "hcat",
    "plot_central_difference",
    "plot_dataset",
    "plot_decision_boundary",
    "plot_derivative_comparison",
    "plot_epsilon_error",
    "plot_function",
    "plot_function3D",
    "plot_hidden_units",
    "plot_training",
    "score_grid",
    "show_loss",
]

P = ParamSpec("P")
R = TypeVar("R")

# ----- style -------------------------------------------------------------------------------

#: Okabe-Ito colours (colour-blind safe) under the names the figures use.
PALETTE: dict[str, str] = {
    "red": "#D55E00",  # vermillion: label 1, positive
    "blue": "#0072B2",  # blue: label 0, negative
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#6E6E6E",
}
_CYCLE = [PALETTE[c] for c in ("blue", "red", "green", "orange", "purple", "sky")]

#: Blue (negative) → white (0) → red (positive) for scores.
SCORE_CMAP = LinearSegmentedColormap.from_list(
    "score", ["#0B4F8A", "#5AA6DC", "#FFFFFF", "#F0A070", "#B34700"]
)
#: White (0) → orange for ReLU activations (never negative).
ACTIVATION_CMAP = LinearSegmentedColormap.from_list("activation", ["#FFFFFF", "#F5C46B", "#B86E00"])

_RC: dict[str, Any] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.framealpha": 0.9,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.7,
    "axes.prop_cycle": matplotlib.cycler(color=_CYCLE),
    "lines.linewidth": 2.2,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "mathtext.fontset": "dejavusans",
    "svg.hashsalt": "minitorch_lite",
}

#: Dots per inch of the PNGs: 6 inches wide gives 720 pixels.
DPI = 120
WIDTH = 6.0


class BookFigure(Figure):
    """A matplotlib Figure that displays itself once in Jupyter, as a compact opaque PNG.

    ``fig.png()`` gives the same bytes a notebook shows; ``fig.savefig`` works as usual
    and keeps the white background.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("dpi", DPI)
        kwargs.setdefault("facecolor", "white")
        kwargs.setdefault("layout", "constrained")
        super().__init__(*args, **kwargs)
        self.patch.set_alpha(1.0)

    def png(self) -> bytes:
        """The figure as PNG bytes: opaque white, quantised to a 256-colour palette (about a
        third of the size, no visible change for these flat-coloured figures), and with no
        varying metadata, so the same figure always gives the same bytes."""
        from PIL import Image  # a dependency of matplotlib

        buf = io.BytesIO()
        with matplotlib.rc_context(_RC):
            self.savefig(buf, format="png", dpi=self.dpi, facecolor="white", transparent=False,
                         metadata={"Software": None})
        image = Image.open(buf).convert("RGB")
        palette = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        palette.save(out, format="PNG", optimize=True)
        return out.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def _ipython_display_(self) -> None:
        # Takes precedence over any PNG formatter pyplot's inline backend may have registered
        # for Figure, so the bytes shown are always ours, and only once.
        from IPython.display import display

        display({"image/png": self.png(), "text/plain": self._plain()}, raw=True)

    def _plain(self) -> str:
        titles = [ax.get_title() for ax in self.axes if ax.get_title()]
        label = self._suptitle.get_text() if self._suptitle is not None else "; ".join(titles)
        return f"<Figure: {label}>" if label else "<Figure>"


def _figure(width: float = WIDTH, height: float = 3.8, **kwargs: Any) -> BookFigure:
    return BookFigure(figsize=(width, height), **kwargs)


def _styled(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` under the book's rcParams (they are read when artists are created)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context(_RC):
            return fn(*args, **kwargs)

    return wrapper


def _fmt(v: float | None) -> str:
    if v is None:
        return "–"
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.2e}"
    return f"{v:.3g}"


def _tex(v: float) -> str:
    """A number for use inside mathtext: ``10^{-6}``, ``2.5 \\times 10^{-8}`` or ``0.3``."""
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        mantissa, exponent = f"{v:.1e}".split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa in ("1.0", "-1.0") and mantissa[0] != "-" else (
            f"{mantissa.rstrip('0').rstrip('.')} \\times {power}")
    return _fmt(v)


def _mathify(text: str) -> str:
    """``text`` unchanged if it holds mathtext, else with ``$`` escaped."""
    return text if text.count("$") >= 2 else text.replace("$", r"\$")


# ----- 1. functions and derivatives --------------------------------------------------------


def _sample(fn: Callable[[float], float], xs: np.ndarray) -> np.ndarray:
    out = []
    for x in xs:
        try:
            y = fn(float(x))
            out.append(float(getattr(y, "data", y)))
        except (ValueError, ZeroDivisionError, OverflowError):
            out.append(math.nan)
    return np.array(out)


@_styled
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
    fig = _figure(*figsize)
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
    ax.set_title(_mathify(title))
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if label2 is not None or label != "$f(x)$":
        ax.legend(loc="best")
    return fig


@_styled
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
    ax = fig.add_axes((-0.06, -0.04, 1.08, 1.0), projection="3d")
    xs = np.linspace(xlim[0], xlim[1], points)
    ys = np.linspace(ylim[0], ylim[1], points)
    X, Y = np.meshgrid(xs, ys)
    Z = np.array([[float(getattr(v := fn(a, b), "data", v)) for a in xs] for b in ys])
    ax.plot_surface(X, Y, Z, cmap="viridis", rstride=1, cstride=1, linewidth=0,
                    antialiased=False, shade=True)
    ax.set_xlabel("$x$", labelpad=-2)
    ax.set_ylabel("$y$", labelpad=-2)
    ax.set_zlabel(zlabel, labelpad=-1)
    ax.tick_params(pad=-1, labelsize=9)
    fig.suptitle(_mathify(title), y=0.97, fontsize=12, fontweight="bold")
    ax.view_init(elev=28, azim=-55)
    ax.set_box_aspect(None, zoom=0.92)
    return fig


@_styled
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
    fig = _figure(*figsize)
    ax = fig.add_subplot()
    xs = np.linspace(xlim[0], xlim[1], 300)
    ys = _sample(fn, xs)
    ax.axvspan(x - epsilon, x + epsilon, color=PALETTE["orange"], alpha=0.15, linewidth=0)
    ax.plot(xs, ys, color=PALETTE["black"], label="$f(x)$", zorder=3)
    # The secant through (x - ε, f(x - ε)) and (x + ε, f(x + ε)); its slope is the
    # central difference.
    ax.plot(xs, lo + slope * (xs - (x - epsilon)), color=PALETTE["red"], linestyle="--",
            label=f"secant through $x \\pm \\epsilon$: slope {_fmt(slope)}", zorder=4)
    if true_derivative is not None:
        ax.plot(xs, fx + true_derivative * (xs - x), color=PALETTE["blue"], linestyle=":",
                linewidth=2.8, label=f"tangent at $x$: slope {_fmt(true_derivative)}", zorder=4)
    ax.scatter([x - epsilon, x + epsilon], [lo, hi], color=PALETTE["red"], s=45, zorder=5,
               edgecolor="black", linewidth=0.6)
    ax.scatter([x], [fx], color=PALETTE["black"], s=40, zorder=5)
    finite = ys[np.isfinite(ys)]
    if finite.size:
        pad = 0.12 * (finite.max() - finite.min() or 1.0)
        ax.set_ylim(finite.min() - pad, finite.max() + pad)
    ax.set_xlim(*xlim)
    ax.set_xlabel("$x$")
    ax.set_title(_mathify(
        title or f"Central difference at $x = {_tex(x)}$ with $\\epsilon = {_tex(epsilon)}$"))
    fig.legend(loc="outside lower center", ncol=3 if true_derivative is None else 2,
               frameon=False, fontsize=10)
    return fig


@_styled
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
    fig = _figure(*figsize)
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
            label=f"central difference, $\\epsilon = {_tex(eps)}$",
        )
    ax.set_xlim(*xlim)
    ax.set_xlabel("$x$")
    ax.set_title(_mathify(title))
    fig.legend(loc="outside lower center", ncol=2, frameon=False, fontsize=10)
    return fig


@_styled
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
    fig = _figure(*figsize)
    ax = fig.add_subplot()
    ax.loglog(eps, np.maximum(errors, floor), color=PALETTE["blue"], marker="o", markersize=3.5)
    if exact.any():
        ax.scatter(eps[exact], np.full(exact.sum(), floor), color=PALETTE["grey"], s=14, zorder=4)
    best = int(np.argmin(np.where(exact, np.inf, errors))) if not exact.all() else 0
    ax.axvline(eps[best], color=PALETTE["green"], linestyle=":", linewidth=1.8,
               label=f"smallest error: $\\epsilon \\approx {_tex(eps[best])}$")
    ax.legend(loc="upper center", frameon=False)
    ax.text(0.03, 0.05, "$\\epsilon$ too small:\nround-off error", transform=ax.transAxes,
            va="bottom", ha="left", color=PALETTE["red"], fontsize=10)
    ax.text(0.97, 0.05, "$\\epsilon$ too large:\ntruncation error", transform=ax.transAxes,
            va="bottom", ha="right", color=PALETTE["red"], fontsize=10)
    ax.set_xlabel(r"$\epsilon$")
    ax.set_ylabel("|central difference − $f'(x)$|")
    ax.set_title(_mathify(title or f"Error of the central difference at $x = {_tex(x)}$"))
    ax.grid(True, which="major")
    return fig


# ----- 2. box diagrams ---------------------------------------------------------------------


@_styled
def draw_boxes(
    edges: Sequence[str | tuple[str, ...]],
    sizes: Sequence[float] | None = None,
    lr: bool = True,
    *,
    labels: Sequence[str] | None = None,
    backward: bool = False,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> BookFigure:
    """A box diagram: arrows are values, boxes are functions.

    ``edges[i]`` labels the arrow(s) entering box ``i`` (and leaving box ``i - 1``); the last
    entry labels the output. A tuple gives several arrows, e.g. a two-argument function::

        draw_boxes([("$x$", "$y$"), "$f(x, y)$"])
        draw_boxes(["$x$", "$g(x)$", "$f(g(x))$"], labels=["$g$", "$f$"])

    ``sizes`` scales box heights; ``labels`` names the boxes; ``backward=True`` reverses the
    arrows (derivatives flow from the output back to the inputs; label them e.g. ``"$d$"``,
    ``"$f'(x) \\cdot d$"``); ``lr=False`` stacks the diagram top to bottom.
    """
    groups = [list(e) if isinstance(e, tuple) else [e] for e in edges]
    if len(groups) < 2:
        raise ValueError("draw_boxes needs at least an input and an output: two edges")
    n_boxes = len(groups) - 1
    sizes = list(sizes) if sizes is not None else [1.0] * n_boxes
    sizes = (sizes + [1.0] * n_boxes)[:n_boxes]
    gap, box_w = 2.2, 1.0
    heights = [0.9 * sizes[i] + 0.3 * (max(len(groups[i]), len(groups[i + 1])) - 1)
               for i in range(n_boxes)]
    spread = max((len(g) - 1) / 2 * 0.8 for g in groups)
    labelled = any(t for g in groups for t in g)
    # Extent across the flow: boxes, fanned-out arrows and the labels above them.
    v_hi = max(max(heights) / 2, spread + (0.55 if labelled and lr else 0.15)) + 0.05
    v_lo = -max(max(heights) / 2, spread + (0.55 if labelled and lr and spread else 0.15)) - 0.05
    u_lo, u_hi = -gap - 0.05, n_boxes * (box_w + gap) + 0.05
    if not lr and labelled:
        v_hi += 1.4  # labels sit to the right of vertical arrows
    scale = min(0.6, WIDTH / (u_hi - u_lo)) if lr else 0.5
    top = 0.4 if title else 0.0
    data_w, data_h = (u_hi - u_lo, v_hi - v_lo) if lr else (v_hi - v_lo, u_hi - u_lo)
    size = figsize or (data_w * scale, data_h * scale + top)
    fig = BookFigure(figsize=size, layout=None)
    ax = fig.add_axes((0, 0, 1, 1 - top / size[1]))

    def pt(u: float, v: float) -> tuple[float, float]:
        return (u, v) if lr else (v, -u)

    color = PALETTE["red"] if backward else PALETTE["black"]
    for i, group in enumerate(groups):
        end = i * (box_w + gap)
        start = end - gap
        k = len(group)
        for j, text in enumerate(group):
            v = (k - 1) / 2 * 0.8 - j * 0.8
            v_in = v * 0.35 if i > 0 else v
            v_out = v * 0.35 if i < n_boxes else v
            a, b = pt(start, v_in), pt(end, v_out)
            if backward:
                a, b = b, a
            ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=16, color=color,
                                         lw=1.8, shrinkA=0, shrinkB=0))
            if text:
                mid_u, mid_v = (start + end) / 2, (v_in + v_out) / 2
                if lr:  # above the arrow; the last of several goes below its arrow
                    below = k > 1 and j == k - 1
                    ax.text(mid_u, mid_v + (-0.1 if below else 0.1), _mathify(text),
                            ha="center", va="top" if below else "bottom", fontsize=13,
                            color=color)
                else:
                    ax.text(*pt(mid_u, mid_v + 0.15), _mathify(text), ha="left", va="center",
                            fontsize=13, color=color)
    for i in range(n_boxes):
        u0, h = i * (box_w + gap), heights[i]
        if lr:
            xy, w, hh = (u0, -h / 2), box_w, h
        else:
            xy, w, hh = (-h / 2, -u0 - box_w), h, box_w
        ax.add_patch(FancyBboxPatch(xy, w, hh, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    fc="#E8F1FA", ec=PALETTE["blue"], lw=1.8, zorder=3))
        if labels is not None and i < len(labels) and labels[i]:
            ax.text(*pt(u0 + box_w / 2, 0), _mathify(labels[i]), ha="center", va="center",
                    fontsize=14, zorder=4)
    if lr:
        ax.set_xlim(u_lo, u_hi)
        ax.set_ylim(v_lo, v_hi)
    else:
        ax.set_xlim(v_lo, v_hi)
        ax.set_ylim(-u_hi, -u_lo)
    ax.axis("off")
    if title:
        fig.suptitle(_mathify(title), y=1 - 0.06 / size[1], va="top", fontsize=12,
                     fontweight="bold")
    return fig


# ----- 3. computation graphs ---------------------------------------------------------------


Key = tuple[str, int]
Edge = tuple[Key, Key, int]


class _Node:
    __slots__ = ("key", "kind", "scalar", "layer", "y", "order")

    def __init__(self, key: Key, kind: str, scalar: Scalar | None) -> None:
        self.key = key
        self.kind = kind  # "value", "fn", or "dummy" (a bend of a long edge)
        self.scalar = scalar
        self.layer = 0
        self.y = 0.0
        self.order = 0.0


_SPAN = {"value": 1.0, "fn": 0.8, "dummy": 0.45}


class GraphLayout:
    """A layered layout of a Scalar's computation graph, read from its ``.history``.

    Nodes are keyed ``("v", uid)`` for the Scalar with ``unique_id`` uid and ``("f", uid)``
    for the function box that made it. ``edges`` lists (source, target, input position)
    triples: value → box for every input of a function, box → value for its result.
    With ``compact=True`` a function's box and its result are one node (half the columns).
    Columns (``layer``) follow the data flow; within a column, nodes are ordered to reduce
    crossings, and edges longer than one column bend through ``routes`` points.
    """

    def __init__(self, output: Scalar, compact: bool = False) -> None:
        if not isinstance(output, Scalar):
            raise TypeError(f"draw_graph needs a Scalar, got {type(output).__name__}")
        self.output = output
        self.compact = compact
        self.nodes: dict[Key, _Node] = {}
        self.edges: list[Edge] = []
        order: list[Scalar] = []  # every Scalar, inputs before the Scalars made from them
        seen = {output.unique_id}
        stack: list[tuple[Scalar, Iterator[Scalar]]] = [(output, iter(output.parents))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if p.unique_id not in seen:
                    seen.add(p.unique_id)
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
        for s in order:
            v = self.nodes[("v", s.unique_id)] = _Node(("v", s.unique_id), "value", s)
            h = s.history
            if h is None or h.last_fn is None:
                continue
            first = 1 + max(self.nodes[("v", p.unique_id)].layer for p in h.inputs)
            if compact:  # the value node doubles as its function's box
                v.layer, f = first, v
            else:
                f = self.nodes[("f", s.unique_id)] = _Node(("f", s.unique_id), "fn", s)
                f.layer, v.layer = first, first + 1
            for pos, p in enumerate(h.inputs):
                self.edges.append((("v", p.unique_id), f.key, pos))
            if not compact:
                self.edges.append((f.key, v.key, 0))
        # Inputs sit just before the first box that uses them, not all in column 0.
        for key, node in self.nodes.items():
            if node.kind == "value" and not self.is_op(node.scalar):  # type: ignore[arg-type]
                users = [self.nodes[t].layer for s_, t, _ in self.edges if s_ == key]
                if users:
                    node.layer = min(users) - 1
        shift = min(n.layer for n in self.nodes.values())
        for n in self.nodes.values():
            n.layer -= shift
        self.n_layers = 1 + max(n.layer for n in self.nodes.values())
        # Long edges bend through one dummy node per column they cross.
        self.routes: dict[Edge, list[Key]] = {}
        self._links: list[tuple[Key, Key]] = []
        n_dummy = 0
        for edge in self.edges:
            s, t, _ = edge
            chain = []
            for layer in range(self.nodes[s].layer + 1, self.nodes[t].layer):
                n_dummy += 1
                d = _Node(("d", n_dummy), "dummy", None)
                d.layer = layer
                self.nodes[d.key] = d
                chain.append(d.key)
            self.routes[edge] = chain
            points = [s, *chain, t]
            self._links.extend(zip(points, points[1:], strict=False))
        self._place()

    @staticmethod
    def is_op(s: Scalar) -> bool:
        """True for a Scalar made by a function (it has a box in the drawing)."""
        return s.history is not None and s.history.last_fn is not None

    @property
    def functions(self) -> list[_Node]:
        """The function boxes, one per operation."""
        if self.compact:
            return [n for n in self.values if self.is_op(n.scalar)]  # type: ignore[arg-type]
        return [n for n in self.nodes.values() if n.kind == "fn"]

    def box_key(self, s: Scalar) -> Key:
        """The key of the box of the function that made ``s``."""
        return ("v" if self.compact else "f", s.unique_id)

    @property
    def values(self) -> list[_Node]:
        """The value nodes, one per Scalar in the graph."""
        return [n for n in self.nodes.values() if n.kind == "value"]

    def _place(self) -> None:
        layers: list[list[_Node]] = [[] for _ in range(self.n_layers)]
        for n in self.nodes.values():  # discovery order: inputs of a box stay together
            layers[n.layer].append(n)
        preds: dict[Key, list[Key]] = {k: [] for k in self.nodes}
        succs: dict[Key, list[Key]] = {k: [] for k in self.nodes}
        for s, t in self._links:
            preds[t].append(s)
            succs[s].append(t)
        for layer in layers:
            for i, n in enumerate(layer):
                n.order = i
        # Barycentre sweeps to reduce crossings (this fixes the order within each column).
        for sweep in range(8):
            down = sweep % 2 == 0
            for li in range(self.n_layers) if down else range(self.n_layers - 1, -1, -1):
                layer = layers[li]
                for n in layer:
                    nb = preds[n.key] if down else succs[n.key]
                    n.y = sum(self.nodes[k].order for k in nb) / len(nb) if nb else n.order
                layer.sort(key=lambda n: (n.y, n.order))
                for i, n in enumerate(layer):
                    n.order = i
        for layer in layers:
            y = 0.0
            for i, n in enumerate(layer):
                if i:
                    y += (_SPAN[layer[i - 1].kind] + _SPAN[n.kind]) / 2
                n.y = y
        # Straighten: pull nodes toward their neighbours, keeping order and spacing.
        for it in range(16):
            down = it % 2 == 0
            for li in range(self.n_layers) if down else range(self.n_layers - 1, -1, -1):
                layer = layers[li]
                want = []
                for n in layer:
                    nb = preds[n.key] + succs[n.key]
                    want.append(sum(self.nodes[k].y for k in nb) / len(nb) if nb else n.y)
                ys = list(want)
                for i in range(1, len(ys)):
                    gap = (_SPAN[layer[i - 1].kind] + _SPAN[layer[i].kind]) / 2
                    ys[i] = max(ys[i], ys[i - 1] + gap)
                offset = sum(w - y for w, y in zip(want, ys, strict=True)) / len(ys)
                for n, y in zip(layer, ys, strict=True):
                    n.y = y + offset
        ys = [n.y for n in self.nodes.values()]
        mid = (max(ys) + min(ys)) / 2
        for n in self.nodes.values():
            n.y -= mid
        self.height = max(ys) - min(ys) + 1


def graph_layout(output: Scalar, compact: bool = False) -> GraphLayout:
    """The layered layout :func:`draw_graph` uses (handy for tests and custom drawings)."""
    return GraphLayout(output, compact)


def _layout(output: Scalar, compact: bool | None) -> GraphLayout:
    layout = GraphLayout(output, bool(compact))
    if compact is None and layout.n_layers > 13:
        layout = GraphLayout(output, True)
    return layout


def _value_label(s: Scalar, derivative: float | None, show: bool) -> str:
    """``name = data`` for named Scalars, the data alone for unnamed ones, then ``d``.

    Unnamed Scalars are not given their automatic ``x<id>`` name: ids depend on everything
    computed before, and the drawing should not change when an earlier cell does.
    """
    value = _fmt(s.data)
    lines = [f"{_math_name(s._name)} = {value}" if s._name is not None else value]
    if show:
        lines.append(f"d = {_fmt(derivative)}")
    return "\n".join(lines)


def _math_name(name: str) -> str:
    """``w_1`` → ``$w_{1}$`` (mathtext subscript); other names unchanged."""
    m = re.fullmatch(r"([A-Za-z]+)_([A-Za-z0-9]+)", name)
    return f"${m[1]}_{{{m[2]}}}$" if m else name.replace("$", r"\$")


def _all_derivatives(output: Scalar, d_output: float = 1.0) -> dict[int, float]:
    """d output / d node for every node of the graph, by the library's chain rule.

    Leaves are not touched (their ``.derivative`` stays as it was).
    """
    totals: dict[int, float] = {output.unique_id: d_output}
    for var in topological_sort(output):
        if var.is_leaf():
            continue
        d = totals.get(var.unique_id, 0.0)
        for parent, dp in var.chain_rule(d):
            totals[parent.unique_id] = totals.get(parent.unique_id, 0.0) + dp
    return totals


def _node_text(layout: GraphLayout, n: _Node, labels: Mapping[int, str]) -> str:
    s = n.scalar
    assert s is not None
    if n.kind == "fn":
        return s.history.last_fn.__name__  # type: ignore[union-attr]
    label = labels.get(s.unique_id, "")
    if layout.compact and layout.is_op(s):
        return f"{s.history.last_fn.__name__}: {label}"  # type: ignore[union-attr]
    return label


def _text_size(text: str, font: float) -> tuple[float, float]:
    """Rough size in inches of a node's text with its box padding (DejaVu Sans)."""
    lines = text.split("\n")
    plain = [re.sub(r"[${}\\]|_(?=\w)", "", line) for line in lines]
    pad = 2 * 0.3 * font / 72
    return (max(len(p) for p in plain) * 0.6 * font / 72 + pad,
            len(lines) * 1.2 * font / 72 + pad)


def _graph_figure(
    layout: GraphLayout,
    lr: bool,
    labels: Mapping[int, str],
    title: str,
    figsize: tuple[float, float] | None = None,
    highlight: set[Key] | None = None,
    dim: set[Key] | None = None,
    edge_labels: Mapping[Edge, str] | None = None,
    reverse: set[Edge] | None = None,
    max_size: tuple[float, float] = (9.0, 8.0),
    size_labels: Mapping[int, str] | None = None,
) -> BookFigure:
    """Draw ``layout`` on a new figure whose size follows the drawing (1 data unit = 1 inch).

    ``size_labels`` (default ``labels``) are the texts the spacing is computed for, so that
    every frame of an animation gets the same geometry.
    """
    highlight, dim = highlight or set(), dim or set()
    edge_labels, reverse = edge_labels or {}, reverse or set()
    texts = {k: _node_text(layout, n, labels) for k, n in layout.nodes.items()
             if n.kind != "dummy"}
    measured = {k: _node_text(layout, layout.nodes[k], size_labels or labels) for k in texts}
    font = 10.5
    for _ in range(8):  # shrink the font until the drawing fits the maximum size
        sizes = {k: _text_size(t, font) for k, t in measured.items()}
        along = 0 if lr else 1  # the size along the data flow
        depth = [0.0] * layout.n_layers
        for k, sz in sizes.items():
            li = layout.nodes[k].layer
            depth[li] = max(depth[li], sz[along])
        gap = (0.62 if edge_labels else 0.3) * font / 10.5
        cs = [0.0]
        for li in range(1, layout.n_layers):
            cs.append(cs[-1] + (depth[li - 1] + depth[li]) / 2 + gap)
        across = max(sz[1 - along] for sz in sizes.values())
        row = across + (0.16 if lr else 0.22) * font / 10.5

        def pos(key: Key, cs: list[float] = cs, row: float = row) -> tuple[float, float]:
            n = layout.nodes[key]
            return (cs[n.layer], -n.y * row) if lr else (n.y * row, -cs[n.layer])

        ext_x, ext_y = [], []
        for k, (w, h) in sizes.items():
            x, y = pos(k)
            ext_x += [x - w / 2, x + w / 2]
            ext_y += [y - h / 2, y + h / 2]
        width = max(ext_x) - min(ext_x) + 0.2
        height = max(ext_y) - min(ext_y) + 0.2
        shrink = min(1.0, max_size[0] / width, max_size[1] / height)
        if shrink > 0.99 or font <= 7.5:
            break
        font = max(7.5, font * (0.5 + shrink / 2))
    fig_w = figsize[0] if figsize else max(width, 3.0)
    per_line = max(10, int(fig_w / (0.64 * 11.5 / 72)))
    title_lines = textwrap.wrap(title, per_line) if title else []
    top = 0.14 + 0.24 * len(title_lines) if title else 0.05
    fig_h = figsize[1] if figsize else height + top
    title = "\n".join(title_lines)
    fig = BookFigure(figsize=(fig_w, fig_h), layout=None)
    ax = fig.add_axes((0, 0, 1, (fig_h - top) / fig_h))
    cx, cy = (max(ext_x) + min(ext_x)) / 2, (max(ext_y) + min(ext_y)) / 2
    ax.set_xlim(cx - fig_w / 2, cx + fig_w / 2)
    ax.set_ylim(cy - (fig_h - top) / 2, cy + (fig_h - top) / 2)
    ax.axis("off")
    if title:
        fig.suptitle(_mathify(title), y=1 - 0.06 / fig_h, va="top", fontsize=11.5,
                     fontweight="bold")

    boxes: dict[Key, Any] = {}
    for key, text in texts.items():
        n = layout.nodes[key]
        s = n.scalar
        if n.kind == "fn":
            style = {"boxstyle": "square,pad=0.3", "fc": "#D8ECF8", "ec": PALETTE["blue"]}
        elif layout.compact and s is not layout.output and layout.is_op(s):  # type: ignore[arg-type]
            style = {"boxstyle": "round,pad=0.3,rounding_size=0.2", "fc": "#D8ECF8",
                     "ec": PALETTE["blue"]}
        else:
            fill = "#E3F4EC" if s is layout.output else (
                "white" if layout.is_op(s) else "#FFF0CC")  # type: ignore[arg-type]
            style = {"boxstyle": "round,pad=0.3,rounding_size=0.45", "ec": "#333333", "fc": fill}
        style["lw"] = 2.6 if key in highlight else 1.0
        if key in highlight:
            style["ec"] = PALETTE["red"]
        faded = key in dim
        t = ax.text(*pos(key), text, ha="center", va="center", fontsize=font, bbox=style,
                    zorder=3, color="#8A8A8A" if faded else "black", linespacing=1.2)
        if faded:
            t.get_bbox_patch().set_alpha(0.5)
        boxes[key] = t.get_bbox_patch()
    # Place the text boxes now: arrows are clipped to them, and edge labels go in the free
    # stretch between them.
    fig.draw_without_rendering()
    to_data = ax.transData.inverted()
    extents = {k: to_data.transform(p.get_window_extent()) for k, p in boxes.items()}
    count: dict[tuple[Key, Key], int] = {}
    for s_, t_, _ in layout.edges:
        count[(s_, t_)] = count.get((s_, t_), 0) + 1
    seen: dict[tuple[Key, Key], int] = {}
    for edge in layout.edges:
        s_, t_, _ = edge
        k = seen.get((s_, t_), 0)
        seen[(s_, t_)] = k + 1
        route = layout.routes[edge]
        same = count[(s_, t_)]
        rad = 0.0 if same == 1 or route else (k - (same - 1) / 2) * 0.6
        back = edge in reverse
        style = {"color": PALETTE["red"] if back else "#4A4A4A", "lw": 2.0 if back else 1.0}
        if route:  # bends: a polyline through the dummy points, arrows at the real ends
            ax.plot(*zip(*(pos(d) for d in route), strict=True), solid_joinstyle="round",
                    solid_capstyle="round", zorder=2, **style)
        ends = [(s_, route[0]), (route[-1], t_)] if route else [(s_, t_)]
        for i, (a, b) in enumerate(ends):
            head_at_a = back and i == 0
            head_at_b = not back and i == len(ends) - 1
            a_, b_ = (b, a) if head_at_a else (a, b)
            ax.add_patch(FancyArrowPatch(
                pos(a_), pos(b_), arrowstyle="-|>" if head_at_a or head_at_b else "-",
                connectionstyle=f"arc3,rad={rad}", patchA=boxes.get(a_), patchB=boxes.get(b_),
                shrinkA=1 if a_ in boxes else 0, shrinkB=1 if b_ in boxes else 0,
                mutation_scale=11, zorder=2, **style))
        if edge in edge_labels:
            a, b = ends[-1]  # the label sits in the last stretch, next to the box it enters
            p0, p1 = np.array(pos(a)), np.array(pos(b))
            t0 = _leave(p0, p1, extents.get(a))
            t1 = 1.0 - _leave(p1, p0, extents.get(b))
            mx, my = p0 + (t0 + t1) / 2 * (p1 - p0)
            if rad:  # on the curve of a bent duplicate edge
                mx, my = mx + rad * (p1[1] - p0[1]) / 2, my - rad * (p1[0] - p0[0]) / 2
            ax.text(mx, my, edge_labels[edge], ha="center", va="center",
                    fontsize=font * 0.95, color=PALETTE["red"], fontweight="bold", zorder=5,
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": PALETTE["red"],
                          "lw": 0.8})
    return fig


def _leave(p0: np.ndarray, p1: np.ndarray, box: Any) -> float:
    """The fraction of the way from p0 to p1 at which the segment leaves ``box``."""
    if box is None:
        return 0.0
    (x0, y0), (x1, y1) = box
    t = 1.0
    for axis, lo, hi in ((0, x0, x1), (1, y0, y1)):
        d = p1[axis] - p0[axis]
        if d > 1e-12:
            t = min(t, (hi - p0[axis]) / d)
        elif d < -1e-12:
            t = min(t, (lo - p0[axis]) / d)
    return max(0.0, min(1.0, t))


@_styled
def draw_graph(
    output: Scalar,
    show_derivatives: bool = False,
    highlight: Iterable[Scalar] | None = None,
    lr: bool = True,
    *,
    compact: bool | None = None,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> BookFigure:
    """Draw the computation graph that produced ``output``, read from its ``.history``.

    Rounded nodes are values (name and data; inputs shaded yellow, the output green);
    square boxes are the functions applied (``last_fn.__name__``), one per operation.
    With ``show_derivatives`` every value also shows d output / d value, computed with
    the library's ``chain_rule`` (for the inputs, what ``output.backward()`` gives).
    ``highlight`` outlines the given Scalars in red. ``lr=False`` lays it out top to bottom.
    ``compact=True`` draws each function and its result as one node (``Mul: 6``), halving
    the width; by default graphs more than 13 columns deep are drawn compact.
    """
    layout = _layout(output, compact)
    derivs = _all_derivatives(output) if show_derivatives else {}
    labels = {n.scalar.unique_id: _value_label(n.scalar, derivs.get(n.scalar.unique_id),
                                               show_derivatives)
              for n in layout.values if n.scalar is not None}
    hl = {("v", s.unique_id) for s in (highlight or ())}
    fig = _graph_figure(layout, lr, labels, title or "Computation graph", figsize, highlight=hl)
    fig.graph_layout = layout  # type: ignore[attr-defined]
    return fig


class BackpropStep(NamedTuple):
    """What one step of backpropagation did."""

    node: Scalar  #: the Scalar whose function's chain rule ran
    d: float  #: the derivative it received (the sum over all its uses)
    sent: list[tuple[Scalar, float]]  #: ``node.chain_rule(d)``: each input and its share
    totals: dict[int, float]  #: every derivative known after this step, by unique_id


def backprop_steps(output: Scalar) -> list[BackpropStep]:
    """Run backpropagation from ``output`` the library's way, recording every step.

    Visits :func:`minitorch_lite.topological_sort` 's order and calls ``chain_rule`` on
    each Scalar made by a function; the leaves' final totals equal what
    ``output.backward()`` puts in their ``.derivative`` (which is not touched here).
    """
    totals: dict[int, float] = {output.unique_id: 1.0}
    steps = []
    for var in topological_sort(output):
        if var.is_leaf():
            continue
        d = totals.get(var.unique_id, 0.0)
        sent = list(var.chain_rule(d))
        for parent, dp in sent:
            totals[parent.unique_id] = totals.get(parent.unique_id, 0.0) + dp
        steps.append(BackpropStep(var, d, sent, dict(totals)))
    return steps


@_styled
def draw_backprop_step(
    output: Scalar,
    step: int,
    lr: bool = True,
    *,
    compact: bool | None = None,
    figsize: tuple[float, float] | None = None,
    steps: Sequence[BackpropStep] | None = None,
) -> BookFigure:
    """Frame ``step`` (counted from 0) of backpropagation from ``output``.

    The frame outlines in red the Scalar being processed and its function box, and draws
    red arrows back from the box to its inputs, each labelled with the derivative
    ``chain_rule`` sends that input. Every value reached so far shows the derivative
    accumulated up to this step; values not reached yet are greyed out. ``lr`` and
    ``compact`` are as for :func:`draw_graph`.
    """
    steps = steps if steps is not None else backprop_steps(output)
    if not 0 <= step < len(steps):
        raise IndexError(
            f"step {step} is out of range: backpropagation from this output has "
            f"{len(steps)} step(s)")
    info = steps[step]
    layout = _layout(output, compact)
    labels, dim, final = {}, set(), steps[-1].totals
    for n in layout.values:
        uid = n.scalar.unique_id  # type: ignore[union-attr]
        labels[uid] = _value_label(n.scalar, info.totals.get(uid), uid in info.totals)  # type: ignore[arg-type]
        if uid not in info.totals:
            dim.add(n.key)
    size_labels = {n.scalar.unique_id: _value_label(  # type: ignore[union-attr]
        n.scalar, final.get(n.scalar.unique_id), True) for n in layout.values}  # type: ignore[arg-type, union-attr]
    processed = {s.node.unique_id for s in steps[: step + 1]}
    for f in layout.functions if not layout.compact else ():
        if f.scalar.unique_id not in processed:  # type: ignore[union-attr]
            dim.add(f.key)
    fkey = layout.box_key(info.node)
    shares = list(info.sent)
    edge_labels, reverse = {}, set()
    for edge in layout.edges:
        s, t, _ = edge
        if t != fkey:
            continue
        reverse.add(edge)
        src = layout.nodes[s].scalar
        for i, (inp, d) in enumerate(shares):
            if inp is src:
                edge_labels[edge] = _fmt(d)
                del shares[i]
                break
    fn_name = info.node.history.last_fn.__name__  # type: ignore[union-attr]
    who = info.node._name or _fmt(info.node.data)
    title = (f"Step {step + 1} of {len(steps)}: {fn_name} → {who} got d = {_fmt(info.d)}"
             " and sends it back to its inputs")
    fig = _graph_figure(layout, lr, labels, title, figsize,
                        highlight={("v", info.node.unique_id), fkey}, dim=dim,
                        edge_labels=edge_labels, reverse=reverse, size_labels=size_labels)
    fig.graph_layout = layout  # type: ignore[attr-defined]
    fig.backprop_step = info  # type: ignore[attr-defined]
    return fig


def backprop_frames(output: Scalar, lr: bool = True, **kwargs: Any) -> list[BookFigure]:
    """One figure per step of backpropagation (see :func:`draw_backprop_step`)."""
    steps = backprop_steps(output)
    return [draw_backprop_step(output, i, lr, steps=steps, **kwargs) for i in range(len(steps))]


# ----- 4. datasets and models --------------------------------------------------------------


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
    ax.set_ylabel("$x_2$", labelpad=1)
    ax.grid(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    if title:
        ax.set_title(_mathify(title))


@_styled
def plot_dataset(
    graph: Graph, title: str | None = None, *, figsize: tuple[float, float] = (3.9, 3.6)
) -> BookFigure:
    """The points of a dataset in the unit square, red for label 1 and blue for label 0."""
    fig = _figure(*figsize)
    ax = fig.add_subplot()
    _scatter(ax, graph)
    _unit_square(ax, title or f"{graph.N} points")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
    return fig


def score_grid(model: Any, resolution: int = 40) -> np.ndarray:
    """``model.score`` at the centres of a ``resolution`` × ``resolution`` grid on [0, 1]².

    Row ``i`` is x₂ = (i + ½) / resolution, column ``j`` is x₁; every value is a
    forward pass of the model on Scalars.
    """
    centres = (np.arange(resolution) + 0.5) / resolution
    out = np.empty((resolution, resolution))
    for i, x2 in enumerate(centres):
        for j, x1 in enumerate(centres):
            s = model.score((float(x1), float(x2)))
            out[i, j] = float(getattr(s, "data", s))
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


@_styled
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

    The map is ``model.score`` evaluated on a ``resolution`` × ``resolution`` grid.
    """
    fig = _figure(*figsize)
    ax = fig.add_subplot()
    im = _boundary(ax, score_grid(model, resolution), graph, title or "Decision boundary")
    if colorbar:
        cb = fig.colorbar(im, ax=ax, shrink=0.85, pad=0.02)
        cb.set_label("score $m(x)$")
        cb.ax.tick_params(labelsize=9)
    fig.score_grid = im.get_array().data  # type: ignore[attr-defined]
    return fig


@_styled
def compare_models(
    models: Sequence[Any],
    graph: Graph | None = None,
    titles: Sequence[str] | None = None,
    *,
    resolution: int = 32,
    figsize: tuple[float, float] | None = None,
) -> BookFigure:
    """Decision-boundary panels side by side, one per model, on a shared colour scale
    (``model.score`` on a ``resolution`` × ``resolution`` grid each)."""
    n = len(models)
    if n == 0:
        raise ValueError("compare_models needs at least one model")
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig = _figure(*(figsize or (min(9.0, 2.5 * cols + 0.4), 2.65 * rows + 0.2)))
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
    """Names and a function giving the pre-activations of the first hidden layer."""
    if isinstance(model, Network):
        return ["unit 1", "unit 2"], lambda a, b: [
            model.unit1.forward((a, b)), model.unit2.forward((a, b))]
    if isinstance(model, MLP):
        n = model.layer1.out_size
        return [f"unit {j + 1}" for j in range(n)], lambda a, b: model.layer1.forward((a, b))
    if isinstance(model, LinearModule):
        return ["unit 1"], lambda a, b: [model.forward((a, b))]
    raise TypeError(f"plot_hidden_units needs a Network or an MLP, got {type(model).__name__}")


@_styled
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
    for i, x2 in enumerate(centres):
        for j, x1 in enumerate(centres):
            vals = pre(float(x1), float(x2))
            for u in range(k):
                acts[u, i, j] = vals[u].data
    two = isinstance(model, Network)
    panels = k + (1 if two and graph is not None else 0)
    cols = min(panels, 4)
    rows = math.ceil(panels / cols)
    fig = _figure(min(8.4, 2.3 * cols + 0.2), 2.25 * rows + 0.4)
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
        _unit_square(ax, f"$h_{{{u + 1}}}$ = ReLU({names[u]})" if two else f"$h_{{{u + 1}}}$")
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
    per_line = int(fig.get_figwidth() / (0.56 * 9.5 / 72))
    lines = textwrap.wrap(note, per_line)
    fig.set_figheight(fig.get_figheight() + 0.17 * len(lines))
    fig.supxlabel("\n".join(lines), fontsize=9.5, color="#333333")
    fig.activations = acts  # type: ignore[attr-defined]
    return fig


def _small_panel(ax: Any, left: bool, bottom: bool, xlabel: str = "$x_1$",
                 ylabel: str = "$x_2$") -> None:
    """Sparse ticks, and axis labels only on the outer panels of a grid."""
    ax.title.set_fontsize(10.5)
    ax.tick_params(labelsize=9)
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
    ax.set_title("hidden space $(h_1, h_2)$", fontsize=10.5)


@_styled
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
    fig = _figure(*figsize)
    ax_loss, ax_acc = fig.subplots(1, 2)
    for i, (name, records) in enumerate(logs.items()):
        if not records:
            raise ValueError("plot_training needs at least one Epoch record")
        ep = [r.epoch for r in records]
        color = _CYCLE[i % len(_CYCLE)]
        ax_loss.plot(ep, [r.loss for r in records], color=color, label=name or None)
        ax_acc.plot(ep, [100 * r.accuracy for r in records], color=color, label=name or None)
    ax_loss.set_title("Loss")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylim(bottom=0)
    ax_acc.set_title("Accuracy")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("%")
    ax_acc.set_ylim(0, 102)
    if len(logs) > 1:
        ax_acc.legend(loc="lower right")
    if title:
        fig.suptitle(_mathify(title), fontsize=12, fontweight="bold")
    return fig


@_styled
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
            p.update(Scalar(float(v), name=original._name))
            loss = full_loss(model)
            losses.append(float(getattr(loss, "data", loss)))
        p.update(original)
        current = full_loss(model)
        current = float(getattr(current, "data", current))
    finally:
        p.update(original)
    fig = _figure(*figsize)
    ax = fig.add_subplot()
    ax.plot(values, losses, color=PALETTE["blue"], label="loss")
    ax.scatter([now], [current], s=70, color=PALETTE["red"], edgecolor="black", zorder=4,
               label=f"now: {parameter} = {_fmt(now)}")
    ax.set_xlabel(f"parameter {parameter}")
    ax.set_ylabel(r"loss $L$")
    ax.set_title(_mathify(title or f"Loss as a function of {parameter}"))
    ax.legend(loc="best")
    return fig


@_styled
def hcat(figures: Sequence[Figure], title: str | None = None, *, width: float = WIDTH * 1.2
         ) -> BookFigure:
    """Figures side by side in one figure (each rendered to an image first)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    images = []
    for f in figures:
        canvas = FigureCanvasAgg(f)
        canvas.draw()
        images.append(np.asarray(canvas.buffer_rgba())[..., :3])
    h = max(im.shape[0] for im in images)
    total_w = sum(im.shape[1] for im in images)
    fig = _figure(width, width * h / total_w + (0.35 if title else 0.05))
    axes = fig.subplots(1, len(images), squeeze=False,
                        gridspec_kw={"width_ratios": [im.shape[1] for im in images]}).ravel()
    for ax, im in zip(axes, images, strict=True):
        ax.imshow(im, interpolation="lanczos")
        ax.axis("off")
    if title:
        fig.suptitle(_mathify(title), fontsize=12, fontweight="bold")
    return fig
