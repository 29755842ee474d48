"""The Python half of the book's in-browser runner (shipped into the site, run by Pyodide).

``tools/interactive.py`` zips this file with ``minitorch_lite/`` into
``_static/interactive/python.zip``; the Web Worker ``_static/interactive/worker.js``
unpacks it into Pyodide and calls:

- :func:`run_cell`: one notebook cell, the way Jupyter runs it: in the page's one
  ``__main__`` namespace, its output (stdout and stderr, merged) captured, its last
  expression displayed as IPython displays it, an exception shown as a traceback that
  starts at the cell (no frames of this file).
- :class:`Playground`: the training playground's state: a dataset and an ``MLP`` from
  ``minitorch_lite``, trained one epoch at a time with ``minitorch_lite.train``.

Pure standard library and ``minitorch_lite``, so CPython runs it too (the tests do).
"""

from __future__ import annotations

import ast
import contextlib
import io
import linecache
import os
import pprint
import sys
import traceback
from types import ModuleType, TracebackType
from typing import Any

# IPython's display hook pretty-prints these builtin containers over several lines when
# they do not fit in 79 columns; everything else is shown by its repr.
_PRETTY_TYPES = (list, tuple, dict, set, frozenset)


def display_text(value: object) -> str:
    """``value`` as Jupyter's ``text/plain`` shows it (IPython's pretty, approximately)."""
    if type(value) in _PRETTY_TYPES:
        return pprint.pformat(value, width=79, sort_dicts=False)
    return repr(value)


def python_source(source: str) -> str:
    """The cell's Python: IPython magics and shell escapes (``%``, ``!``) blanked out."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _library_folder() -> str | None:
    """Where ``minitorch_lite``'s files are (None if it is not importable)."""
    try:
        import minitorch_lite  # noqa: PLC0415
    except ImportError:
        return None
    return os.path.dirname(minitorch_lite.__file__) + os.sep


def _cell_traceback(error: BaseException) -> str:
    """The traceback of ``error`` as the reader's code saw it: the cells' frames (and any
    other code of the reader's), then the error. This module's frames are dropped, and so
    are the frames inside ``minitorch_lite`` (counted in one line at the end): the library
    checked the reader's input and says what is wrong in the message."""
    tb: TracebackType | None = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    if isinstance(error, SyntaxError) and (error.filename or "").startswith("<cell "):
        # The cell itself does not parse: no frame ran (the parser's are not the reader's),
        # so only the error, with its line and caret, as Jupyter shows it.
        return "".join(traceback.format_exception_only(type(error), error))
    library = _library_folder()
    frames = traceback.extract_tb(tb)
    shown = [f for f in frames if library is None or not f.filename.startswith(library)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(shown)]
    lines += traceback.format_exception_only(type(error), error)
    hidden = len(frames) - len(shown)
    if hidden:
        calls = "call" if hidden == 1 else "calls"
        lines.append(f"({hidden} {calls} inside minitorch_lite not shown)\n")
    return "".join(lines)


def _remember_source(filename: str, source: str) -> None:
    """Let tracebacks quote the cell's lines (``linecache`` knows no file of that name)."""
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)


def run_cell(source: str, number: int, namespace: dict[str, Any] | None = None) -> dict:
    """Run one cell in ``namespace`` (default: ``__main__``'s) and report what it showed.

    Returns a dict (plain types, for JavaScript): ``output`` (what it printed),
    ``display`` (its last expression as Jupyter shows it, or None), ``error`` (the
    traceback, or None), ``error_type`` (the exception's class name, or None).
    """
    if namespace is None:
        namespace = sys.modules["__main__"].__dict__
    filename = f"<cell {number}>"
    code = python_source(source)
    _remember_source(filename, code)
    captured = io.StringIO()
    result: dict[str, Any] = {"output": "", "display": None, "error": None, "error_type": None}
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        try:
            tree = ast.parse(code, filename)
            last = None
            # Like Jupyter: a final expression is displayed, unless the cell ends with `;`.
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                if not code.rstrip().endswith(";"):
                    last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(compile(last, filename, "eval"), namespace)
                if value is not None:
                    namespace["_"] = value
                    result["display"] = display_text(value)
        except BaseException as error:  # noqa: BLE001 (a cell may raise anything; show it)
            result["error"] = _cell_traceback(error)
            result["error_type"] = type(error).__name__
    result["output"] = captured.getvalue()
    return result


class FigureUnavailable(RuntimeError):
    """Raised by the browser's stand-in for ``minitorch_lite.plots`` (no matplotlib)."""


# Functions of plots that change settings and draw nothing.
SETTINGS = ("set_text_scale", "set_pixel_density")


def plots_stand_in() -> ModuleType:
    """A module standing in for ``minitorch_lite.plots`` where matplotlib is missing.

    Importing it works (so a cell such as ``from minitorch_lite import operators, plots``
    still binds ``operators``); calling any of its functions raises
    :class:`FigureUnavailable`, which the page shows as a note on the figure cell, except
    the settings that draw nothing (``set_text_scale``), which do nothing.
    """
    module = ModuleType("minitorch_lite.plots", "Stand-in: figures need matplotlib.")

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in SETTINGS:
            return lambda *args, **kwargs: None

        def unavailable(*args: object, **kwargs: object) -> None:
            raise FigureUnavailable(
                f"plots.{name} draws with matplotlib, which the Python in this browser "
                "(Pyodide's core) does not include"
            )

        unavailable.__name__ = name
        return unavailable

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module


def install_plots_stand_in() -> bool:
    """Put :func:`plots_stand_in` in place if ``minitorch_lite.plots`` cannot import."""
    try:
        import minitorch_lite.plots  # noqa: F401, PLC0415
    except ModuleNotFoundError as error:
        if error.name not in ("matplotlib", "numpy"):
            raise
        import minitorch_lite  # noqa: PLC0415

        module = plots_stand_in()
        sys.modules[module.__name__] = module
        minitorch_lite.plots = module  # type: ignore[attr-defined]
        return True
    return False


def glue_stand_in() -> ModuleType:
    """A module standing in for ``myst_nb`` (not in the browser): ``glue`` does nothing.

    A chapter's or deck's set-up cell imports ``glue``, which hands a computed value to the
    page's text when the site is built; in the browser that text is already on the page.
    """
    module = ModuleType("myst_nb", "Stand-in: glue only matters when the site is built.")

    def glue(name: str, variable: object, display: bool = True) -> None:
        """Does nothing here (the build glued the value into the page)."""

    module.glue = glue  # type: ignore[attr-defined]
    return module


def install_glue_stand_in() -> bool:
    """Put :func:`glue_stand_in` in place if ``myst_nb`` cannot import."""
    try:
        import myst_nb  # noqa: F401, PLC0415
    except ModuleNotFoundError:
        sys.modules["myst_nb"] = glue_stand_in()
        return True
    return False


class InputUnavailable(RuntimeError):
    """Raised by ``input()`` in the browser: a page's Python has no keyboard to read."""


def install_input_stand_in() -> None:
    """Make ``input()`` say why it cannot work in the page (Pyodide's own attempt fails
    with "OSError: [Errno 29] I/O error", as a worker has no ``prompt``)."""
    import builtins  # noqa: PLC0415

    def input(prompt: object = "") -> str:  # noqa: A001 (it stands in for the builtin)
        """Raises :class:`InputUnavailable`."""
        raise InputUnavailable(
            "input() cannot read the keyboard in the Python of this page: write the value "
            "into the code instead (for example `n = 5`)"
        )

    builtins.input = input


class Playground:
    """One network learning one dataset, advanced an epoch at a time.

    Args:
        dataset: a name of ``minitorch_lite.datasets`` (``"Simple"``, ``"Xor"``...).
        points: number of points.
        hidden: hidden units per layer of ``minitorch_lite.MLP``.
        learning_rate: SGD step size (may be changed between epochs).
        seed: seeds the network's initial weights (the dataset always uses seed 0).

    The test accuracy is measured on ``TEST_POINTS`` fresh points of the same dataset
    (seed 100), which the network never trains on.
    """

    TEST_POINTS = 100

    def __init__(
        self, dataset: str, points: int, hidden: int, learning_rate: float, seed: int = 0
    ) -> None:
        import minitorch_lite as minitorch  # noqa: PLC0415 (Pyodide imports it on demand)

        self.minitorch = minitorch
        if dataset not in minitorch.datasets:
            raise ValueError(f"unknown dataset {dataset!r}: one of {list(minitorch.datasets)}")
        self.data = minitorch.datasets[dataset](int(points))
        self.test = minitorch.datasets[dataset](self.TEST_POINTS, seed=100)
        self.model = minitorch.MLP(int(hidden), seed=int(seed))
        self.learning_rate = float(learning_rate)
        self.epoch = 0
        # Trace one epoch once; every step replays it (the engine's floats, much faster).
        self._step = minitorch.nn.compiled_step(self.model, self.data, self.test)

    def points(self) -> dict[str, list]:
        """The dataset: ``x`` (pairs in the unit square) and ``y`` (labels 0/1)."""
        return {"x": [list(p) for p in self.data.X], "y": list(self.data.y)}

    def step(self) -> dict[str, float]:
        """Train one epoch (``train(..., compiled=True)``'s step); its log line as a dict.

        As in ``train``, the accuracy is measured on the forward pass of the epoch,
        before the SGD step, and the test accuracy at the same parameters.
        """
        loss, accuracy, test_accuracy = self._step(self.learning_rate)
        self.epoch += 1
        return {
            "epoch": self.epoch,
            "loss": loss,
            "accuracy": accuracy,
            "test_accuracy": test_accuracy,
        }

    def grid(self, size: int) -> list[float]:
        """The model's probability of label 1 on a ``size`` × ``size`` grid of the square.

        Row-major, first row at x₂ = 1 (the top of a picture), columns from x₁ = 0.
        """
        step = 1 / (size - 1)
        model = self.model
        return [
            model((column * step, 1 - row * step)).sigmoid().data
            for row in range(size)
            for column in range(size)
        ]
