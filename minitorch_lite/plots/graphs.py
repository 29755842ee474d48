"""Computation graphs drawn from a Scalar's history, and backpropagation frame by frame.

:func:`draw_graph` draws the graph that produced a Scalar; :func:`draw_backprop_step`
and :func:`backprop_frames` draw what :func:`~minitorch_lite.backpropagate` does at each
step. Positions come from :mod:`.layout`, numbers from the library itself.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.patches import FancyArrowPatch

from ..scalar import Scalar
from .layout import (
    BackpropStep,
    Edge,
    GraphLayout,
    Key,
    Node,
    backprop_steps,
    choose_layout,
    derivatives,
)
from .style import PALETTE, BookFigure, fmt, mathify, styled


def _value_label(s: Scalar, derivative: float | None, show: bool) -> str:
    """``name = data`` for named Scalars, the data alone for unnamed ones, then ``d``.

    A long name (a module's dotted parameter name) goes on a line of its own, above
    ``= data``, so that a row of parameters stays narrow enough to read on a page.
    Unnamed Scalars are not given their automatic ``x<id>`` name: ids depend on everything
    computed before, and the drawing should not change when an earlier cell does.
    """
    value = fmt(s.data)
    name = s.name
    if name is None:
        lines = [value]
    elif len(name) > 6:
        lines = [_math_name(name), f"= {value}"]
    else:
        lines = [f"{_math_name(name)} = {value}"]
    if show:
        lines.append(f"d = {fmt(derivative)}")
    return "\n".join(lines)


def _math_name(name: str) -> str:
    """``w_1`` → ``$w_{1}$`` (mathtext subscript); other names unchanged."""
    m = re.fullmatch(r"([A-Za-z]+)_([A-Za-z0-9]+)", name)
    return f"${m[1]}_{{{m[2]}}}$" if m else name.replace("$", r"\$")


def _node_text(layout: GraphLayout, n: Node, labels: Mapping[int, str]) -> str:
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
        gap = (0.62 if edge_labels else 0.2) * font / 10.5
        cs = [0.0]
        for li in range(1, layout.n_layers):
            cs.append(cs[-1] + (depth[li - 1] + depth[li]) / 2 + gap)
        # The pitch between neighbouring slots of a layer: enough for the widest pair of
        # neighbours (not the widest node of the whole graph, which would spread every
        # layer as if it held that node).
        margin = (0.16 if lr else 0.22) * font / 10.5
        by_layer: dict[int, list[tuple[float, float]]] = {}
        for k, sz in sizes.items():
            node = layout.nodes[k]
            by_layer.setdefault(node.layer, []).append((node.y, sz[1 - along]))
        row = min(sz[1 - along] for sz in sizes.values()) + margin
        for slots in by_layer.values():
            slots.sort()
            for (y1, w1), (y2, w2) in zip(slots, slots[1:], strict=False):
                if y2 > y1:
                    row = max(row, ((w1 + w2) / 2 + margin) / (y2 - y1))

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
    fig.sized_by_text = True  # its size follows its text: set_text_scale leaves it alone
    ax = fig.add_axes((0, 0, 1, (fig_h - top) / fig_h))
    cx, cy = (max(ext_x) + min(ext_x)) / 2, (max(ext_y) + min(ext_y)) / 2
    ax.set_xlim(cx - fig_w / 2, cx + fig_w / 2)
    ax.set_ylim(cy - (fig_h - top) / 2, cy + (fig_h - top) / 2)
    ax.axis("off")
    if title:
        fig.suptitle(mathify(title), y=1 - 0.06 / fig_h, va="top", fontsize=11.5,
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


@styled
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
    layout = choose_layout(output, compact)
    derivs = derivatives(output) if show_derivatives else {}
    labels = {n.scalar.unique_id: _value_label(n.scalar, derivs.get(n.scalar.unique_id),
                                               show_derivatives)
              for n in layout.values if n.scalar is not None}
    hl = {("v", s.unique_id) for s in (highlight or ())}
    fig = _graph_figure(layout, lr, labels, title or "Computation graph", figsize, highlight=hl)
    fig.graph_layout = layout  # type: ignore[attr-defined]
    return fig



@styled
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
    layout = choose_layout(output, compact)
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
                edge_labels[edge] = fmt(d)
                del shares[i]
                break
    fn_name = info.node.history.last_fn.__name__  # type: ignore[union-attr]
    who = info.node.name or fmt(info.node.data)
    title = (f"Step {step + 1} of {len(steps)}: {fn_name} → {who} got d = {fmt(info.d)}"
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

