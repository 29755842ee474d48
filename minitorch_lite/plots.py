"""Figures for the book and the slide decks, computed from ``minitorch_lite`` itself.

Needs matplotlib (the package's ``plots`` extra); ``import minitorch_lite`` never loads
this module. Every function returns a :class:`BookFigure`: a plain
:class:`matplotlib.figure.Figure` (not managed by pyplot, so a notebook cell ending in
``plots.plot_function(...)`` shows it exactly once) with an opaque white background that
stays legible in dark themes, and a PNG representation tuned for small page weight.

Colours follow the lectures: red is label 1 (a positive score), blue is label 0 (a negative
score), picked from the colour-blind-safe Okabe-Ito palette; the two labels also differ in
marker shape.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

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
    "backprop_frames",
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
    "show_loss",
]

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
        """The figure as PNG bytes: opaque white background, no varying metadata."""
        buf = io.BytesIO()
        with matplotlib.rc_context(_RC):
            self.savefig(
                buf,
                format="png",
                dpi=self.dpi,
                facecolor="white",
                transparent=False,
                metadata={"Software": None},
                pil_kwargs={"optimize": True},
            )
        return buf.getvalue()

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


def _styled(fn: Callable[..., BookFigure]) -> Callable[..., BookFigure]:
    """Run ``fn`` under the book's rcParams (they are read when artists are created)."""

    def wrapper(*args: Any, **kwargs: Any) -> BookFigure:
        with matplotlib.rc_context(_RC):
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


def _fmt(v: float | None) -> str:
    if v is None:
        return "–"
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.2e}"
    return f"{v:.3g}"


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
            label=label2 if label2 is not None else "second curve",
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
    if fn2 is not None or label != "$f(x)$":
        ax.legend(loc="best")
    return fig


@_styled
def plot_function3D(
    title: str,
    fn: Callable[[float, float], float],
    xlim: tuple[float, float] = (-3, 3),
    ylim: tuple[float, float] = (-3, 3),
    *,
    points: int = 40,
    zlabel: str = "$f(x, y)$",
    figsize: tuple[float, float] = (WIDTH, 4.2),
) -> BookFigure:
    """Surface of a two-argument function ``fn(x, y)`` over ``xlim`` × ``ylim``."""
    fig = _figure(*figsize)
    ax = fig.add_subplot(projection="3d")
    xs = np.linspace(xlim[0], xlim[1], points)
    ys = np.linspace(ylim[0], ylim[1], points)
    X, Y = np.meshgrid(xs, ys)
    Z = np.vectorize(lambda a, b: float(getattr(fn(a, b), "data", fn(a, b))))(X, Y)
    ax.plot_surface(
        X, Y, Z, cmap="viridis", rstride=1, cstride=1, linewidth=0.15, edgecolor="#FFFFFF55"
    )
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_zlabel(zlabel)
    ax.set_title(_mathify(title))
    ax.view_init(elev=28, azim=-55)
    ax.set_box_aspect(None, zoom=0.9)
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
    fx = float(fn(x))
    if xlim is None:
        half = max(2.5 * epsilon, 1.5)
        xlim = (x - half, x + half)
    fig = _figure(*figsize)
    ax = fig.add_subplot()
    xs = np.linspace(xlim[0], xlim[1], 300)
    ax.plot(xs, _sample(fn, xs), color=PALETTE["black"], label="$f(x)$", zorder=3)
    ax.plot(
        xs,
        fx + slope * (xs - x),
        color=PALETTE["red"],
        linestyle="--",
        label=rf"secant, slope {_fmt(slope)} ($\epsilon$ = {_fmt(epsilon)})",
        zorder=4,
    )
    if true_derivative is not None:
        ax.plot(
            xs,
            fx + true_derivative * (xs - x),
            color=PALETTE["blue"],
            linestyle=":",
            linewidth=2.6,
            label=f"tangent, slope {_fmt(true_derivative)}",
            zorder=4,
        )
    for sign in (-1, 1):
        px = x + sign * epsilon
        ax.scatter([px], [float(fn(px))], color=PALETTE["red"], s=45, zorder=5)
    ax.scatter([x], [fx], color=PALETTE["black"], s=45, zorder=5)
    ax.axvspan(x - epsilon, x + epsilon, color=PALETTE["orange"], alpha=0.15, linewidth=0)
    ys = _sample(fn, xs)
    finite = ys[np.isfinite(ys)]
    if finite.size:
        pad = 0.15 * (finite.max() - finite.min() or 1.0)
        ax.set_ylim(finite.min() - pad, finite.max() + pad)
    ax.set_xlim(*xlim)
    ax.set_xlabel("$x$")
    ax.set_title(_mathify(title or rf"Central difference at $x$ = {_fmt(x)}"))
    ax.legend(loc="best")
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
            label=rf"central difference, $\epsilon$ = {_fmt(eps)}",
        )
    ax.set_xlim(*xlim)
    ax.set_xlabel("$x$")
    ax.set_title(_mathify(title))
    ax.legend(loc="best")
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
    ax.axvline(eps[best], color=PALETTE["green"], linestyle=":", linewidth=1.5)
    ax.annotate(
        rf"best $\epsilon$ ≈ {_fmt(eps[best])}",
        xy=(eps[best], max(errors[best], floor)),
        xytext=(8, 28),
        textcoords="offset points",
        color=PALETTE["green"],
        fontsize=10,
        arrowprops={"arrowstyle": "->", "color": PALETTE["green"]},
    )
    ax.text(0.03, 0.95, "round-off\nerror", transform=ax.transAxes, va="top", ha="left",
            color=PALETTE["red"], fontsize=10)
    ax.text(0.97, 0.95, "truncation\nerror", transform=ax.transAxes, va="top", ha="right",
            color=PALETTE["red"], fontsize=10)
    ax.set_xlabel(r"$\epsilon$")
    ax.set_ylabel("|central difference − $f'(x)$|")
    ax.set_title(_mathify(title or f"Error of the central difference at x = {_fmt(x)}"))
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
    length = n_boxes * box_w + (n_boxes + 1) * gap
    tallest = max(len(g) for g in groups)
    height = max(1.6, 0.8 * tallest + 0.6, *(0.9 * s + 0.4 for s in sizes))
    if figsize is None:
        figsize = (min(WIDTH, 1.1 + 1.15 * length), 1.0 + 0.55 * height) if lr else (
            2.2 + 0.6 * height, min(6.0, 0.9 + 0.75 * length))
    fig = _figure(*figsize)
    ax = fig.add_subplot()

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
            ax.add_patch(
                FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=16, color=color, lw=1.8,
                                shrinkA=0, shrinkB=0)
            )
            if text:
                mid = pt((start + end) / 2, (v_in + v_out) / 2 + 0.08)
                ax.text(*mid, _mathify(text), ha="center", va="bottom" if lr else "center",
                        fontsize=13, color=color,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"}
                        if not lr else None)
    for i in range(n_boxes):
        u0 = i * (box_w + gap)
        h = 0.9 * sizes[i] + 0.3 * (max(len(groups[i]), len(groups[i + 1])) - 1)
        if lr:
            xy, w, hh = (u0, -h / 2), box_w, h
        else:
            xy, w, hh = (-h / 2, -u0 - box_w), h, box_w
        ax.add_patch(FancyBboxPatch(xy, w, hh, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    fc="#E8F1FA", ec=PALETTE["blue"], lw=1.8, zorder=3))
        if labels is not None and i < len(labels) and labels[i]:
            ax.text(*pt(u0 + box_w / 2, 0), _mathify(labels[i]), ha="center", va="center",
                    fontsize=14, zorder=4)
    lo, hi = -gap, n_boxes * (box_w + gap)
    if lr:
        ax.set_xlim(lo - 0.1, hi + 0.1)
        ax.set_ylim(-height / 2, height / 2)
    else:
        ax.set_xlim(-height / 2 - 0.6, height / 2 + 0.6)
        ax.set_ylim(-hi - 0.1, -lo + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(_mathify(title))
    return fig


# ----- 3. computation graphs ---------------------------------------------------------------


class _Node:
    __slots__ = ("key", "kind", "scalar", "layer", "y", "order")

    def __init__(self, key: tuple[str, int], kind: str, scalar: Scalar) -> None:
        self.key = key
        self.kind = kind  # "value" or "fn"
        self.scalar = scalar
        self.layer = 0
        self.y = 0.0
        self.order = 0.0


class GraphLayout:
    """A layered layout of a Scalar's computation graph, computed from ``.history``.

    ``values`` maps each Scalar's ``unique_id`` to its node, ``functions`` maps the
    ``unique_id`` of each Scalar made by a function to that function's box, and ``edges``
    lists (source key, target key, input position) triples: value → box for every input,
    box → value for every output.
    """

    def __init__(self, output: Scalar) -> None:
        if not isinstance(output, Scalar):
            raise TypeError(f"draw_graph needs a Scalar, got {type(output).__name__}")
        self.output = output
        self.nodes: dict[tuple[str, int], _Node] = {}
        self.edges: list[tuple[tuple[str, int], tuple[str, int], int]] = []
        order: list[Scalar] = []  # every Scalar, inputs before the Scalars made from them
        seen = {output.unique_id}
        stack: list[tuple[Scalar, Iterable[Scalar]]] = [(output, iter(output.parents))]
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
            f = self.nodes[("f", s.unique_id)] = _Node(("f", s.unique_id), "fn", s)
            f.layer = 1 + max(self.nodes[("v", p.unique_id)].layer for p in h.inputs)
            v.layer = f.layer + 1
            for pos, p in enumerate(h.inputs):
                self.edges.append((("v", p.unique_id), f.key, pos))
            self.edges.append((f.key, v.key, 0))
        # Inputs sit just before the first box that uses them, not all in column 0.
        for key, node in self.nodes.items():
            if node.kind == "value" and not self.is_op(node.scalar):
                users = [self.nodes[t].layer for s_, t, _ in self.edges if s_ == key]
                if users:
                    node.layer = min(users) - 1
        self.n_layers = 1 + max(n.layer for n in self.nodes.values())
        self._place()

    @staticmethod
    def is_op(s: Scalar) -> bool:
        return s.history is not None and s.history.last_fn is not None

    @property
    def functions(self) -> list[_Node]:
        return [n for n in self.nodes.values() if n.kind == "fn"]

    @property
    def values(self) -> list[_Node]:
        return [n for n in self.nodes.values() if n.kind == "value"]

    def _place(self) -> None:
        layers: list[list[_Node]] = [[] for _ in range(self.n_layers)]
        for n in self.nodes.values():  # discovery order: inputs of a box stay together
            layers[n.layer].append(n)
        preds: dict[tuple[str, int], list[tuple[str, int]]] = {k: [] for k in self.nodes}
        succs: dict[tuple[str, int], list[tuple[str, int]]] = {k: [] for k in self.nodes}
        for s, t, _ in self.edges:
            preds[t].append(s)
            succs[s].append(t)
        for layer in layers:
            for i, n in enumerate(layer):
                n.order = i
        # Barycentre sweeps to reduce crossings (order only).
        for sweep in range(6):
            seq = range(self.n_layers) if sweep % 2 == 0 else range(self.n_layers - 1, -1, -1)
            for li in seq:
                layer = layers[li]
                for n in layer:
                    nb = preds[n.key] if sweep % 2 == 0 else succs[n.key]
                    n.y = (sum(self.nodes[k].order for k in nb) / len(nb)) if nb else n.order
                layer.sort(key=lambda n: (n.y, n.order))
                for i, n in enumerate(layer):
                    n.order = i
        for layer in layers:
            for i, n in enumerate(layer):
                n.y = i - (len(layer) - 1) / 2
        # Straighten: pull nodes toward their neighbours, keeping order and spacing.
        for it in range(12):
            seq = range(self.n_layers) if it % 2 == 0 else range(self.n_layers - 1, -1, -1)
            for li in seq:
                layer = layers[li]
                want = []
                for n in layer:
                    nb = preds[n.key] + succs[n.key]
                    want.append(sum(self.nodes[k].y for k in nb) / len(nb) if nb else n.y)
                ys = list(want)
                for i in range(1, len(ys)):
                    ys[i] = max(ys[i], ys[i - 1] + 1.0)
                shift = sum(w - y for w, y in zip(want, ys, strict=True)) / len(ys)
                for n, y in zip(layer, ys, strict=True):
                    n.y = y + shift
        ys = [n.y for n in self.nodes.values()]
        mid = (max(ys) + min(ys)) / 2
        for n in self.nodes.values():
            n.y -= mid
        self.height = max(ys) - min(ys) + 1


def graph_layout(output: Scalar) -> GraphLayout:
    """The layered layout :func:`draw_graph` uses (handy for tests and custom drawings)."""
    return GraphLayout(output)


def _value_label(s: Scalar, derivative: float | None, show: bool) -> str:
    name = s._name if s._name is not None else (None if not GraphLayout.is_op(s) else s.name)
    lines = [f"{name} = {_fmt(s.data)}" if name else _fmt(s.data)]
    if show:
        lines.append(f"d = {_fmt(derivative)}")
    return "\n".join(lines)


def _all_derivatives(output: Scalar, d_output: float = 1.0) -> dict[int, float]:
    """d output / d node for every node of the graph, by the library's chain rule.

    Leaves are not touched (``.derivative`` stays as it was).
    """
    totals: dict[int, float] = {output.unique_id: d_output}
    for var in topological_sort(output):
        d = totals.get(var.unique_id, 0.0)
        if var.is_leaf():
            continue
        for parent, dp in var.chain_rule(d):
            totals[parent.unique_id] = totals.get(parent.unique_id, 0.0) + dp
    return totals


def _draw_layout(
    ax: Any,
    layout: GraphLayout,
    lr: bool,
    labels: Mapping[int, str],
    highlight: set[tuple[str, int]],
    dim: set[tuple[str, int]],
    edge_labels: Mapping[tuple[tuple[str, int], tuple[str, int], int], str],
    fontsize: float,
    reverse_edges: set[tuple[tuple[str, int], tuple[str, int], int]] = frozenset(),  # type: ignore[assignment]
) -> None:
    col_w = {"value": 1.35, "fn": 0.9}
    # x position of each layer: value layers are wider than function layers.
    kinds = ["fn"] * layout.n_layers
    for n in layout.nodes.values():
        if n.kind == "value":
            kinds[n.layer] = "value"
    xs = [0.0]
    for li in range(1, layout.n_layers):
        xs.append(xs[-1] + (col_w[kinds[li - 1]] + col_w[kinds[li]]) / 2)
    row_h = 0.85

    def pos(n: _Node) -> tuple[float, float]:
        u, v = xs[n.layer], -n.y * row_h
        return (u, v) if lr else (n.y * 1.5, -u * 0.9)

    texts: dict[tuple[str, int], Any] = {}
    for key, n in layout.nodes.items():
        hl = key in highlight
        faded = key in dim
        if n.kind == "fn":
            text = n.scalar.history.last_fn.__name__  # type: ignore[union-attr]
            style = {"boxstyle": "square,pad=0.35", "fc": "#D8ECF8", "ec": PALETTE["blue"]}
        else:
            text = labels.get(n.scalar.unique_id, "")
            leaf = not GraphLayout.is_op(n.scalar)
            style = {
                "boxstyle": "round,pad=0.35,rounding_size=0.5",
                "fc": "#FFF3D6" if leaf else "white",
                "ec": "#333333",
            }
            if n.scalar is layout.output:
                style["fc"] = "#E3F4EC"
        if hl:
            style["ec"] = PALETTE["red"]
        style["lw"] = 2.6 if hl else 1.1
        t = ax.text(
            *pos(n),
            text,
            ha="center",
            va="center",
            fontsize=fontsize,
            bbox=style,
            zorder=3,
            color="#999999" if faded else "black",
            linespacing=1.25,
        )
        if faded:
            t.get_bbox_patch().set_alpha(0.55)
        texts[key] = t
    counts: dict[tuple[tuple[str, int], tuple[str, int]], int] = {}
    for s, t, _ in layout.edges:
        counts[(s, t)] = counts.get((s, t), 0) + 1
    seen: dict[tuple[tuple[str, int], tuple[str, int]], int] = {}
    for edge in layout.edges:
        s, t, pos_i = edge
        k = seen.get((s, t), 0)
        seen[(s, t)] = k + 1
        n_same = counts[(s, t)]
        rad = 0.0 if n_same == 1 else (k - (n_same - 1) / 2) * 0.5
        back = edge in reverse_edges
        a, b = (t, s) if back else (s, t)
        color = PALETTE["red"] if back else "#444444"
        arrow = FancyArrowPatch(
            pos(layout.nodes[a]),
            pos(layout.nodes[b]),
            arrowstyle="-|>",
            mutation_scale=12,
            lw=2.0 if back else 1.1,
            color=color,
            connectionstyle=f"arc3,rad={rad}",
            patchA=texts[a].get_bbox_patch(),
            patchB=texts[b].get_bbox_patch(),
            shrinkA=1,
            shrinkB=1,
            zorder=2,
        )
        ax.add_patch(arrow)
        if edge in edge_labels:
            (x0, y0), (x1, y1) = pos(layout.nodes[s]), pos(layout.nodes[t])
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            if rad:  # the label of a curved edge sits on the curve
                dx, dy = x1 - x0, y1 - y0
                mx, my = mx + rad * dy / 2, my - rad * dx / 2
            ax.text(
                mx,
                my,
                edge_labels[edge],
                ha="center",
                va="center",
                fontsize=fontsize * 0.92,
                color=PALETTE["red"],
                fontweight="bold",
                zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": PALETTE["red"],
                      "lw": 0.8},
            )
    all_pos = [pos(n) for n in layout.nodes.values()]
    us = [p[0] for p in all_pos]
    vs = [p[1] for p in all_pos]
    ax.set_xlim(min(us) - 0.75, max(us) + 0.75)
    ax.set_ylim(min(vs) - 0.55, max(vs) + 0.55)
    ax.axis("off")


def _graph_figsize(layout: GraphLayout, lr: bool) -> tuple[tuple[float, float], float]:
    n_val = sum(1 for k in range(layout.n_layers))
    width_units = 1.1 * n_val
    if lr:
        w = min(10.0, max(3.5, 0.95 * width_units + 0.6))
        h = min(7.0, max(1.8, 0.62 * layout.height + 0.7))
    else:
        w = min(WIDTH, max(3.0, 1.15 * layout.height + 1.0))
        h = min(9.0, max(2.0, 0.72 * width_units + 0.6))
    font = 10.5 if layout.n_layers <= 9 else (9 if layout.n_layers <= 15 else 8)
    return (w, h), font


@_styled
def draw_graph(
    output: Scalar,
    show_derivatives: bool = False,
    highlight: Iterable[Scalar] | None = None,
    lr: bool = True,
    *,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> BookFigure:
    """Draw the computation graph that produced ``output``, read from its ``.history``.

    Round nodes are values (name and data; inputs shaded, the output green), square boxes
    are the functions applied (``last_fn.__name__``). With ``show_derivatives`` each value
    also shows d output / d value, computed with the library's ``chain_rule``.
    ``highlight`` outlines the given Scalars in red. ``lr=False`` lays it out top to bottom.
    """
    layout = GraphLayout(output)
    derivs = _all_derivatives(output) if show_derivatives else {}
    labels = {
        n.scalar.unique_id: _value_label(n.scalar, derivs.get(n.scalar.unique_id), show_derivatives)
        for n in layout.values
    }
    hl = {("v", s.unique_id) for s in (highlight or ())}
    size, font = _graph_figsize(layout, lr)
    fig = _figure(*(figsize or size))
    ax = fig.add_subplot()
    _draw_layout(ax, layout, lr, labels, hl, set(), {}, font)
    if title:
        ax.set_title(_mathify(title))
    fig.graph_layout = layout  # type: ignore[attr-defined]
    return fig


def _backprop_steps(output: Scalar) -> list[dict[str, Any]]:
    """Run backpropagation the library's way, recording what each step does."""
    order = topological_sort(output)
    totals: dict[int, float] = {output.unique_id: 1.0}
    steps = []
    for var in order:
        if var.is_leaf():
            continue
        d = totals.get(var.unique_id, 0.0)
        sent = var.chain_rule(d)
        for parent, dp in sent:
            totals[parent.unique_id] = totals.get(parent.unique_id, 0.0) + dp
        steps.append({"node": var, "d": d, "sent": sent, "totals": dict(totals)})
    return steps


@_styled
def draw_backprop_step(
    output: Scalar,
    step: int,
    lr: bool = True,
    *,
    figsize: tuple[float, float] | None = None,
    _steps: list[dict[str, Any]] | None = None,
) -> BookFigure:
    """Frame ``step`` (0-based) of backpropagation from ``output``.

    Backpropagation visits the Scalars made by functions in topological order (output first).
    At each one it calls ``chain_rule(d)``; the frame outlines that Scalar in red, shows the
    derivative ``d`` it received, and labels each edge into its function box with the
    derivative sent back to that input. Every value shows the derivative accumulated so
    far; nodes not reached yet are greyed out.
    """
    steps = _steps if _steps is not None else _backprop_steps(output)
    if not 0 <= step < len(steps):
        raise IndexError(f"step {step} is out of range: backprop from this output has "
                         f"{len(steps)} step(s)")
    info = steps[step]
    node: Scalar = info["node"]
    totals: dict[int, float] = info["totals"]
    layout = GraphLayout(output)
    labels = {}
    dim = set()
    for n in layout.values:
        uid = n.scalar.unique_id
        reached = uid in totals
        labels[uid] = _value_label(n.scalar, totals.get(uid), show=reached)
        if not reached:
            dim.add(n.key)
    for f in layout.functions:
        if ("v", f.scalar.unique_id) in dim:
            dim.add(f.key)
    fkey = ("f", node.unique_id)
    edge_labels = {}
    reverse = set()
    sent = iter(info["sent"])
    pending = next(sent, None)
    for edge in layout.edges:
        s, t, _ = edge
        if t == fkey:
            src = layout.nodes[s].scalar
            if pending is not None and pending[0] is src:
                edge_labels[edge] = _fmt(pending[1])
                pending = next(sent, None)
            reverse.add(edge)
        elif s == fkey:
            edge_labels[edge] = _fmt(info["d"])
            reverse.add(edge)
    size, font = _graph_figsize(layout, lr)
    fig = _figure(*(figsize or (size[0], size[1] + 0.35)))
    ax = fig.add_subplot()
    _draw_layout(ax, layout, lr, labels, {("v", node.unique_id), fkey}, dim, edge_labels, font,
                 reverse)
    fn_name = node.history.last_fn.__name__  # type: ignore[union-attr]
    ax.set_title(
        f"Step {step + 1} of {len(steps)}: {node.name} = {fn_name}(…) gets d = {_fmt(info['d'])}"
        " and sends it back",
        fontsize=11,
    )
    fig.graph_layout = layout  # type: ignore[attr-defined]
    fig.backprop_step = info  # type: ignore[attr-defined]
    return fig


def backprop_frames(output: Scalar, lr: bool = True, **kwargs: Any) -> list[BookFigure]:
    """One figure per step of backpropagation (see :func:`draw_backprop_step`)."""
    steps = _backprop_steps(output)
    return [draw_backprop_step(output, i, lr, _steps=steps, **kwargs) for i in range(len(steps))]


# ----- 4. datasets and models --------------------------------------------------------------


def _scatter(ax: Any, graph: Graph, size: float = 36) -> None:
    X = np.array(graph.X, dtype=float).reshape(-1, 2)
    y = np.array(graph.y)
    for label, color, marker, name in ((1, "red", "o", "label 1"), (0, "blue", "s", "label 0")):
        pts = X[y == label]
        if len(pts):
            ax.scatter(pts[:, 0], pts[:, 1], s=size, c=PALETTE[color], marker=marker,
                       edgecolors="black", linewidths=0.6, label=name, zorder=4)


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


def _boundary(ax: Any, model: Any, graph: Graph | None, resolution: int, title: str | None,
              limit: float | None = None) -> Any:
    Z = score_grid(model, resolution)
    m = limit if limit is not None else max(float(np.abs(Z).max()), 1e-9)
    im = ax.imshow(Z, origin="lower", extent=(0, 1, 0, 1), cmap=SCORE_CMAP,
                   norm=TwoSlopeNorm(0.0, -m, m), interpolation="bilinear", zorder=1)
    if Z.min() < 0 < Z.max():
        c = (np.arange(resolution) + 0.5) / resolution
        ax.contour(c, c, Z, levels=[0.0], colors="black", linewidths=1.6, zorder=2)
    if graph is not None:
        _scatter(ax, graph, size=30)
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
    im = _boundary(ax, model, graph, resolution, title or "Decision boundary")
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
    """Decision-boundary panels side by side, one per model, on a shared colour scale."""
    n = len(models)
    if n == 0:
        raise ValueError("compare_models needs at least one model")
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig = _figure(*(figsize or (min(9.0, 2.5 * cols + 0.4), 2.65 * rows + 0.2)))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for i, model in enumerate(models):
        title = titles[i] if titles is not None and i < len(titles) else f"model {i + 1}"
        _boundary(axes[i], model, graph, resolution, title)
        axes[i].title.set_fontsize(11)
    for ax in axes[n:]:
        ax.set_visible(False)
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
    fig = _figure(min(9.0, 2.45 * cols + 0.3), 2.6 * rows + 0.45)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    top = max(float(np.maximum(acts, 0).max()), 1e-9)
    for u in range(k):
        ax = axes[u]
        im = ax.imshow(np.maximum(acts[u], 0), origin="lower", extent=(0, 1, 0, 1),
                       cmap=ACTIVATION_CMAP, vmin=0, vmax=top, interpolation="bilinear")
        if acts[u].min() < 0 < acts[u].max():
            ax.contour(centres, centres, acts[u], levels=[0.0], colors=PALETTE["black"],
                       linewidths=1.4, linestyles="--")
        if graph is not None:
            _scatter(ax, graph, size=14)
        _unit_square(ax, f"$h_{{{u + 1}}}$ = ReLU({names[u]})")
        ax.title.set_fontsize(10.5)
        ax.set_xlabel("$x_1$", fontsize=10)
        ax.set_ylabel("$x_2$", fontsize=10)
    if two and graph is not None:
        ax = axes[k]
        H = np.array([[model.unit1.forward(x).relu().data, model.unit2.forward(x).relu().data]
                      for x in graph.X])
        y = np.array(graph.y)
        for label, color, marker in ((1, "red", "o"), (0, "blue", "s")):
            pts = H[y == label]
            if len(pts):
                ax.scatter(pts[:, 0], pts[:, 1], s=18, c=PALETTE[color], marker=marker,
                           edgecolors="black", linewidths=0.5, zorder=4)
        lim = max(1e-6, float(H.max())) * 1.08
        w1, w2, b = (model.classify.w_1.value.data, model.classify.w_2.value.data,
                     model.classify.b.value.data)
        hs = np.linspace(0, lim, 50)
        if abs(w2) > 1e-12:
            ax.plot(hs, -(w1 * hs + b) / w2, color="black", linewidth=1.6)
        elif abs(w1) > 1e-12:
            ax.axvline(-b / w1, color="black", linewidth=1.6)
        ax.set_xlim(-0.03 * lim, lim)
        ax.set_ylim(-0.03 * lim, lim)
        ax.set_aspect("equal")
        ax.set_title("hidden space", fontsize=10.5)
        ax.set_xlabel("$h_1$", fontsize=10)
        ax.set_ylabel("$h_2$", fontsize=10, labelpad=1)
    for ax in axes[panels:]:
        ax.set_visible(False)
    fig.colorbar(im, ax=list(axes[:k]), shrink=0.8, pad=0.02, label="activation")
    fig.suptitle(title or "What each hidden unit computes", fontsize=12, fontweight="bold")
    fig.activations = acts  # type: ignore[attr-defined]
    return fig


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
