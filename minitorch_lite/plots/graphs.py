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

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

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

    # Each node is a text in its own box. The boxes of one layer are as deep as its
    # deepest (the same height across a top-to-bottom row, the same width down a
    # left-to-right column), and edges leave a box on its downstream side and enter one
    # on its upstream side: so an edge between neighbouring layers runs in the free band
    # between them and can never pass behind a box.
    unit = font / 72  # inches per font size: the boxes' padding is in these units
    pad = 0.3 * unit
    texts_drawn: dict[Key, Any] = {}
    for key, text in texts.items():
        texts_drawn[key] = ax.text(
            *pos(key), text, ha="center", va="center", fontsize=font, zorder=4,
            color="#8A8A8A" if key in dim else "black", linespacing=1.2)
    # The texts the sizes are for (``size_labels``), measured unseen, so that every frame
    # of an animation draws the same boxes.
    probed = [k for k, t in measured.items() if t != texts[k]]
    probes = [ax.text(*pos(k), measured[k], ha="center", va="center", fontsize=font,
                      alpha=0.0, linespacing=1.2) for k in probed]
    fig.draw_without_rendering()
    to_data = ax.transData.inverted()

    def extent(t: Any) -> tuple[float, float]:
        (x0, y0), (x1, y1) = to_data.transform(t.get_window_extent())
        return x1 - x0, y1 - y0

    size = {k: extent(t) for k, t in texts_drawn.items()}
    for probe, k in zip(probes, probed, strict=True):
        w, h = extent(probe)
        size[k] = (max(size[k][0], w), max(size[k][1], h))
        probe.remove()
    layer_depth: dict[int, float] = {}
    for k, sz in size.items():
        li = layout.nodes[k].layer
        layer_depth[li] = max(layer_depth.get(li, 0.0), sz[along])
    half: dict[Key, tuple[float, float]] = {}  # half width and height of each box, padded
    for k, (w, h) in size.items():
        depth = layer_depth[layout.nodes[k].layer]
        w, h = (depth, h) if lr else (w, depth)
        half[k] = (w / 2 + pad, h / 2 + pad)
        n = layout.nodes[k]
        s = n.scalar
        if n.kind == "fn":
            style: dict[str, Any] = {"boxstyle": "square,pad=0.3", "fc": "#D8ECF8",
                                     "ec": PALETTE["blue"]}
        elif layout.compact and s is not layout.output and layout.is_op(s):  # type: ignore[arg-type]
            style = {"boxstyle": "round,pad=0.3,rounding_size=0.2", "fc": "#D8ECF8",
                     "ec": PALETTE["blue"]}
        else:
            fill = "#E3F4EC" if s is layout.output else (
                "white" if layout.is_op(s) else "#FFF0CC")  # type: ignore[arg-type]
            style = {"boxstyle": "round,pad=0.3,rounding_size=0.45", "ec": "#333333",
                     "fc": fill}
        style["lw"] = 2.6 if k in highlight else 1.0
        if k in highlight:
            style["ec"] = PALETTE["red"]
        x, y = pos(k)
        box = FancyBboxPatch((x - w / 2, y - h / 2), w, h, mutation_scale=unit, zorder=3,
                             alpha=0.5 if k in dim else None, **style)
        ax.add_patch(box)
    def end(key: Key, out: bool, offset: float) -> tuple[float, float]:
        """Where an edge leaves (``out``) or enters a box; ``offset`` (-1 to 1) slides it
        along the side, towards larger y (left to right) or x (top to bottom). A route
        point is its own end."""
        x, y = pos(key)
        if key not in half:
            return x, y
        hw, hh = half[key]
        if lr:  # data flows to the right
            return x + (hw if out else -hw), y + 0.7 * hh * offset
        return x + 0.7 * hw * offset, y + (-hh if out else hh)  # and here down

    # The edges entering one box end at their own points along its side, in the order
    # they come from, so that each arrowhead can be seen; two edges between the same two
    # boxes (x * x) leave from matching points and run side by side.
    entering: dict[Key, list[tuple[float, int, Edge]]] = {}
    count: dict[tuple[Key, Key], int] = {}  # edges between the same two boxes
    rank: dict[Edge, int] = {}  # which of them
    for edge in layout.edges:
        s_, t_, _ = edge
        k = rank[edge] = count.get((s_, t_), 0)
        count[(s_, t_)] = k + 1
        came_from = pos(layout.routes[edge][-1] if layout.routes[edge] else s_)
        entering.setdefault(t_, []).append((came_from[1 if lr else 0], k, edge))
    offset: dict[Edge, float] = {}
    for edges in entering.values():
        edges.sort(key=lambda e: (e[0], e[1]))
        for i, (_, _, edge) in enumerate(edges):
            offset[edge] = 0.0 if len(edges) == 1 else -1 + 2 * i / (len(edges) - 1)
    geometry: list[tuple[Key, Key, list[tuple[float, float]]]] = []
    for edge in layout.edges:
        s_, t_, _ = edge
        paired = count[(s_, t_)] > 1
        points = [end(s_, True, offset[edge] if paired else 0.0),
                  *(pos(d) for d in layout.routes[edge]), end(t_, False, offset[edge])]
        geometry.append((s_, t_, points))
        back = edge in reverse
        style = {"color": PALETTE["red"] if back else "#4A4A4A", "lw": 2.0 if back else 1.0}
        if len(points) > 2:  # bends: a polyline, its arrowhead drawn below
            ax.plot(*zip(*points, strict=True), solid_joinstyle="round",
                    solid_capstyle="round", zorder=2, **style)
        head = (points[1], points[0]) if back else (points[-2], points[-1])
        ax.add_patch(FancyArrowPatch(
            *head, arrowstyle="-|>", shrinkA=0, shrinkB=1, mutation_scale=11, zorder=2,
            **style))
        if edge in edge_labels:  # in the last stretch, next to the box it enters
            (x0, y0), (x1, y1) = points[-2], points[-1]
            at = 0.5 if not paired else (0.38, 0.62)[rank[edge] % 2]  # labels of a pair: staggered
            ax.text(x0 + at * (x1 - x0), y0 + at * (y1 - y0), edge_labels[edge], ha="center",
                    va="center", fontsize=font * 0.95, color=PALETTE["red"],
                    fontweight="bold", zorder=5,
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": PALETTE["red"],
                          "lw": 0.8})
    # What was drawn, in inches: each box (x0, y0, x1, y1, padding included) and each
    # edge's points, for tests that check that no edge crosses a box.
    fig.graph_geometry = {  # type: ignore[attr-defined]
        "boxes": {k: (pos(k)[0] - hw, pos(k)[1] - hh, pos(k)[0] + hw, pos(k)[1] + hh)
                  for k, (hw, hh) in half.items()},
        "edges": geometry,
    }
    return fig


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

