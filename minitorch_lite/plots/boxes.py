"""Box diagrams: arrows are values, boxes are functions (the lectures' pictures of f(g(x)))."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .style import PALETTE, WIDTH, BookFigure, mathify, styled


@styled
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
    fig.sized_by_text = True  # its size follows its text: set_text_scale leaves it alone
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
                    ax.text(mid_u, mid_v + (-0.1 if below else 0.1), mathify(text),
                            ha="center", va="top" if below else "bottom", fontsize=13,
                            color=color)
                else:
                    ax.text(*pt(mid_u, mid_v + 0.15), mathify(text), ha="left", va="center",
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
            ax.text(*pt(u0 + box_w / 2, 0), mathify(labels[i]), ha="center", va="center",
                    fontsize=14, zorder=4)
    if lr:
        ax.set_xlim(u_lo, u_hi)
        ax.set_ylim(v_lo, v_hi)
    else:
        ax.set_xlim(v_lo, v_hi)
        ax.set_ylim(-u_hi, -u_lo)
    ax.axis("off")
    if title:
        fig.suptitle(mathify(title), y=1 - 0.06 / size[1], va="top", fontsize=12,
                     fontweight="bold")
    return fig

