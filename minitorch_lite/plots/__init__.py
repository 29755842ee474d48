"""Figures for the book and the slide decks, computed from ``minitorch_lite`` itself.

Needs matplotlib (the package's ``plots`` extra); ``import minitorch_lite`` never loads
this package. Every function returns a :class:`BookFigure`: a plain
:class:`matplotlib.figure.Figure` with an opaque white background that a notebook cell
shows exactly once, as a compact PNG. Red is label 1 (a positive score), blue is label 0
(a negative score); the two labels also differ in marker shape.

One module per kind of figure:

* ``style``: colours, fonts, :class:`BookFigure`, :func:`hcat`, and for slides
  :func:`set_text_scale` (larger text) and :func:`set_pixel_density` (sharper PNGs);
* ``functions``: :func:`plot_function`, :func:`plot_function3D`,
  :func:`plot_central_difference`, :func:`plot_derivative_comparison`,
  :func:`plot_epsilon_error`;
* ``boxes``: :func:`draw_boxes`;
* ``layout`` (no matplotlib): :func:`graph_layout` and :func:`backprop_steps`, a recorded
  run of the library's own :func:`~minitorch_lite.backpropagate`;
* ``graphs``: :func:`draw_graph`, :func:`draw_backprop_step`, :func:`backprop_frames`;
* ``models``: :func:`plot_dataset`, :func:`plot_decision_boundary`, :func:`compare_models`,
  :func:`plot_hidden_units`, :func:`plot_training`, :func:`show_loss`;
* ``results``: :func:`plot_bars`.

Alt text is not something a PNG output can carry through myst-nb: give it in the cell's
metadata (``mystnb: image: alt: ...``).
"""

from .boxes import draw_boxes
from .functions import (
    plot_central_difference,
    plot_derivative_comparison,
    plot_epsilon_error,
    plot_function,
    plot_function3D,
)
from .graphs import backprop_frames, draw_backprop_step, draw_graph
from .layout import BackpropStep, GraphLayout, backprop_steps, graph_layout
from .models import (
    compare_models,
    plot_dataset,
    plot_decision_boundary,
    plot_hidden_units,
    plot_training,
    score_grid,
    show_loss,
)
from .results import plot_bars
from .style import PALETTE, BookFigure, hcat, set_pixel_density, set_text_scale

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
    "plot_bars",
    "plot_central_difference",
    "plot_derivative_comparison",
    "plot_dataset",
    "plot_decision_boundary",
    "plot_epsilon_error",
    "plot_function",
    "plot_function3D",
    "plot_hidden_units",
    "plot_training",
    "score_grid",
    "set_pixel_density",
    "set_text_scale",
    "show_loss",
]
