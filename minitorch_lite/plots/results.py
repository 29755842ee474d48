"""Results side by side: grouped bar charts of numbers the book computes (accuracies,
counts of dead units), one group per category and one colour per series."""

from __future__ import annotations

from collections.abc import Mapping

from .style import CYCLE, WIDTH, BookFigure, mathify, new_figure, styled


@styled
def plot_bars(
    table: Mapping[str, Mapping[str, float]],
    title: str | None = None,
    *,
    ylabel: str | None = None,
    ylim: tuple[float, float] | None = None,
    value_format: str = "{:.0f}",
    figsize: tuple[float, float] = (WIDTH, 4.0),
) -> BookFigure:
    """One bar per ``table[series][category]``, grouped by category, each labelled with its
    value (``value_format``). Every series must have the same categories, in the same order.

    The numbers drawn are kept as ``figure.table`` (a plain dict), for checks.
    """
    series = list(table)
    if not series:
        raise ValueError("plot_bars needs at least one series")
    categories = list(table[series[0]])
    for name in series:
        if list(table[name]) != categories:
            raise ValueError(
                f"series {name!r} has categories {list(table[name])}, expected {categories}"
            )
    fig = new_figure(*figsize)
    ax = fig.subplots()
    width = 0.8 / len(series)
    for i, name in enumerate(series):
        xs = [c + (i - (len(series) - 1) / 2) * width for c in range(len(categories))]
        values = [float(table[name][c]) for c in categories]
        bars = ax.bar(xs, values, width * 0.92, color=CYCLE[i % len(CYCLE)], label=name)
        ax.bar_label(bars, [value_format.format(v) for v in values], fontsize=8.5, padding=2)
    ax.set_xticks(range(len(categories)), categories)
    if ylabel:
        ax.set_ylabel(mathify(ylabel))
    if ylim:
        ax.set_ylim(*ylim)
    else:
        ax.set_ylim(0, 1.18 * max(max(float(v) for v in row.values()) for row in table.values()))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1, frameon=False)
    if title:
        ax.set_title(mathify(title))
    fig.table = {name: dict(row) for name, row in table.items()}  # type: ignore[attr-defined]
    return fig
