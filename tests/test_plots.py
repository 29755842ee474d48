"""Tests of ``minitorch_lite.plots``: every figure is computed from the library, opaque, titled."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import minitorch_lite as minitorch  # noqa: E402
from minitorch_lite import plots  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def opaque_white(fig: plots.BookFigure) -> bool:
    return tuple(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


def titles(fig: plots.BookFigure) -> list[str]:
    found = [ax.get_title() for ax in fig.axes if ax.get_title()]
    if fig._suptitle is not None and fig._suptitle.get_text():
        found.append(fig._suptitle.get_text())
    return found


def check(fig: object, render: bool = True) -> plots.BookFigure:
    """A figure the book can show: a BookFigure, opaque white, titled, renders as PNG."""
    assert isinstance(fig, plots.BookFigure)
    assert opaque_white(fig)
    assert titles(fig), "every figure needs a title"
    if render:
        assert fig.png().startswith(b"\x89PNG")
    return fig


def expression() -> tuple[minitorch.Scalar, minitorch.Scalar, minitorch.Scalar]:
    """z = x * y + x: three operations (Mul, Add) and a value used twice."""
    x = minitorch.Scalar(2.0, name="x")
    y = minitorch.Scalar(3.0, name="y")
    z = x * y
    z.name = "z"
    out = z + x
    out.name = "out"
    return x, y, out


def png_pixels(fig: plots.BookFigure) -> np.ndarray:

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(fig.png())).convert("RGBA"))


def test_import_minitorch_lite_does_not_import_matplotlib() -> None:
    code = "import sys, minitorch_lite; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"


def test_png_is_opaque_and_deterministic() -> None:
    fig = plots.plot_function("f(x)", lambda x: x * x + 1.0)
    pixels = png_pixels(fig)
    assert (pixels[..., 3] == 255).all()
    assert tuple(pixels[0, 0, :3]) == (255, 255, 255)
    assert fig.png() == plots.plot_function("f(x)", lambda x: x * x + 1.0).png()


def test_plot_function_draws_both_curves() -> None:
    fig = check(plots.plot_function("f(x) vs f'(2)", lambda x: x * x, fn2=lambda x: 4 * x - 4))
    (ax,) = fig.axes
    ys = [line.get_ydata() for line in ax.get_lines() if len(line.get_xdata()) > 2]
    xs = ax.get_lines()[0].get_xdata()
    assert np.allclose(ys[0], xs * xs)
    assert np.allclose(ys[1], 4 * xs - 4)


def test_plot_function_accepts_scalar_functions() -> None:
    check(plots.plot_function("sigmoid", lambda x: minitorch.Scalar(x).sigmoid()))


def test_plot_function3d() -> None:
    check(plots.plot_function3D("f(x, y)", lambda x, y: math.sin(x) + 2 * math.cos(y)))


def test_central_difference_secant_uses_the_library() -> None:
    fig = check(plots.plot_central_difference(math.sin, 1.0, 0.5, true_derivative=math.cos(1.0)))
    secant = fig.axes[0].get_lines()[1]
    xs, ys = secant.get_xdata(), secant.get_ydata()
    slope = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
    assert slope == pytest.approx(minitorch.central_difference(math.sin, 1.0, epsilon=0.5))
    assert slope != pytest.approx(math.cos(1.0), abs=1e-3)


def test_epsilon_error_shows_both_failure_modes() -> None:
    fig = check(plots.plot_epsilon_error(math.exp, math.exp, 1.0))
    eps, err = fig.axes[0].get_lines()[0].get_data()
    best = int(np.argmin(err))
    assert 1e-9 < eps[best] < 1e-2  # neither end is best:
    assert err[0] > err[best] * 10  # tiny epsilon: round-off
    assert err[-1] > err[best] * 10  # large epsilon: truncation


def test_derivative_comparison() -> None:
    check(plots.plot_derivative_comparison(math.sin, math.cos, epsilons=(1.0, 1e-6)))


def test_draw_boxes() -> None:
    fig = check(plots.draw_boxes(["$x$", "$g(x)$", "$f(g(x))$"], title="f(g(x))"))
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    boxes = [p for p in ax.patches if type(p).__name__ == "FancyBboxPatch"]
    assert (len(arrows), len(boxes)) == (3, 2)
    fig = plots.draw_boxes([("$x$", "$y$"), "$f(x, y)$"], backward=True, title="back")
    arrows = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 3
    # Backward: the output arrow points from right to left.
    (x0, _), (x1, _) = arrows[-1]._posA_posB
    assert x1 < x0


def test_draw_graph_matches_the_expression() -> None:
    x, y, out = expression()
    fig = check(plots.draw_graph(out, show_derivatives=True, title="z = x * y + x"))
    layout = fig.graph_layout
    assert sorted(f.scalar.history.last_fn.__name__ for f in layout.functions) == ["Add", "Mul"]
    assert {id(v.scalar) for v in layout.values} >= {id(x), id(y), id(out)}
    # x feeds both Mul and Add.
    assert sum(1 for s, _, _ in layout.edges if s == ("v", x.unique_id)) == 2
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Mul" in texts and "Add" in texts
    out.backward()
    assert f"x = 2\nd = {x.derivative:.3g}" in texts  # d out/dx = y + 1 = 4


def test_draw_graph_counts_one_box_per_operation() -> None:
    net = minitorch.Network()
    loss = net.forward((0.5, 0.25)).relu()
    layout = plots.graph_layout(loss)
    ops = [v for v in layout.values if layout.is_op(v.scalar)]
    assert len(layout.functions) == len(ops) == 15
    # Layers respect the data flow.
    for s, t, _ in layout.edges:
        assert layout.nodes[s].layer < layout.nodes[t].layer


def crossings(fig: plots.BookFigure) -> list[str]:
    """Edges of a drawn graph that pass behind a box other than their own two ends."""

    def hits(p: tuple[float, float], q: tuple[float, float], box: tuple[float, ...]) -> bool:
        # Liang-Barsky: does segment p-q enter the box (shrunk by a hair)?
        x0, y0, x1, y1 = box[0] + 1e-6, box[1] + 1e-6, box[2] - 1e-6, box[3] - 1e-6
        t0, t1 = 0.0, 1.0
        for d, lo, hi, start in ((q[0] - p[0], x0, x1, p[0]), (q[1] - p[1], y0, y1, p[1])):
            if abs(d) < 1e-12:
                if not lo <= start <= hi:
                    return False
                continue
            a, b = sorted(((lo - start) / d, (hi - start) / d))
            t0, t1 = max(t0, a), min(t1, b)
        return t0 < t1

    geometry = fig.graph_geometry
    found = []
    for s, t, points in geometry["edges"]:
        for key, box in geometry["boxes"].items():
            if key in (s, t):
                continue
            if any(hits(p, q, box) for p, q in zip(points, points[1:], strict=False)):
                found.append(f"{s} -> {t} passes behind {key}")
    return found


def test_no_edge_passes_behind_a_box() -> None:
    # The hand-built network of networks/hidden-layers: x_1 feeds both units, and its
    # edge to the second unit's Mul used to run behind unit1.w_2's box.
    net = minitorch.Network()
    for name, p in net.named_parameters():
        p.value.name = name
    x = (minitorch.Scalar(0.9, name="x_1"), minitorch.Scalar(0.3, name="x_2"))
    loss = minitorch.bce_loss(net(x), 1)
    _, _, out = expression()
    mlp = minitorch.MLP(2, seed=0)
    figures = [
        plots.draw_graph(loss, lr=False, title="hand-built network"),
        plots.draw_graph(loss, title="left to right"),
        plots.draw_graph(out, show_derivatives=True, title="z = x * y + x"),
        plots.draw_graph(minitorch.bce_loss(mlp((0.2, 0.7)), 0), title="MLP(2)"),
        *plots.backprop_frames(out),
    ]
    for fig in figures:
        assert fig.graph_geometry["edges"] and fig.graph_geometry["boxes"]
        assert crossings(fig) == [], fig._suptitle.get_text()
    # The check itself finds an edge drawn through a box.
    fig = figures[2]
    (s, t, points), *_ = fig.graph_geometry["edges"]
    other = next(k for k in fig.graph_geometry["boxes"] if k not in (s, t))
    x0, y0, x1, y1 = fig.graph_geometry["boxes"][other]
    fig.graph_geometry["edges"] = [(s, t, [points[0], ((x0 + x1) / 2, (y0 + y1) / 2)])]
    assert crossings(fig) == [f"{s} -> {t} passes behind {other}"]


def test_backprop_frames_follow_backward() -> None:
    x, y, out = expression()
    frames = plots.backprop_frames(out)
    non_leaves = [v for v in minitorch.topological_sort(out) if not v.is_leaf()]
    assert len(frames) == len(non_leaves) == 2
    for i, fig in enumerate(frames):
        check(fig, render=i == 0)
        assert fig.backprop_step.node is non_leaves[i]
    # Each frame labels the edges into the current box with what chain_rule sends back.
    labels = {t.get_text() for t in frames[1].axes[0].texts}
    assert {"3", "2"} <= labels  # d(x*y)/dx = y = 3, d(x*y)/dy = x = 2
    out.backward()
    final = frames[-1].backprop_step.totals
    assert (final[x.unique_id], final[y.unique_id]) == (x.derivative, y.derivative) == (4.0, 2.0)
    with pytest.raises(IndexError):
        plots.draw_backprop_step(out, 2)


def test_backprop_steps_match_backward_on_the_lecture_expression() -> None:
    x = minitorch.Scalar(1.0, name="x")
    y = minitorch.Scalar(1.0, name="y")
    z = -y * sum([x, x, x]) * y + 10.0 * x
    h = z + z
    steps = plots.backprop_steps(h)
    assert len(steps) == sum(1 for v in minitorch.topological_sort(h) if not v.is_leaf())
    h.backward()
    assert steps[-1].totals[x.unique_id] == pytest.approx(x.derivative) == 14.0
    assert steps[-1].totals[y.unique_id] == pytest.approx(y.derivative) == -12.0
    fig = check(plots.draw_backprop_step(h, 3, steps=steps), render=False)
    assert fig.backprop_step is steps[3]


def test_backprop_steps_are_a_run_of_the_librarys_backpropagate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from minitorch_lite.plots import layout

    calls = []

    def spy(variable: object, deriv: float) -> None:
        calls.append(deriv)
        minitorch.backpropagate(variable, deriv)  # type: ignore[arg-type]

    monkeypatch.setattr(layout, "backpropagate", spy)
    x, y, out = expression()
    steps = plots.backprop_steps(out)
    assert calls == [1.0] and len(steps) == 2
    assert x.derivative is None  # the leaves are not touched
    check(plots.draw_graph(out, show_derivatives=True), render=False)
    assert calls == [1.0, 1.0]


def test_plots_is_a_package_of_small_files_with_a_matplotlib_free_layout() -> None:
    import ast

    folder = ROOT / "minitorch_lite" / "plots"
    for path in folder.glob("*.py"):
        lines = path.read_text().count("\n")
        assert lines <= 400, f"{path.name} has {lines} lines"
    tree = ast.parse((folder / "layout.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
    }
    assert not imported & {"matplotlib", "numpy", "PIL"}, imported


def test_plot_dataset() -> None:
    data = minitorch.datasets["Xor"](20)
    fig = check(plots.plot_dataset(data, "Xor"))
    offsets = np.concatenate([c.get_offsets() for c in fig.axes[0].collections])
    assert len(offsets) == 20


def linear(w1: float, w2: float, b: float) -> minitorch.LinearModel:
    m = minitorch.LinearModel()
    m.w_1.update(w1)
    m.w_2.update(w2)
    m.b.update(b)
    return m


def test_decision_boundary_comes_from_the_model() -> None:
    data = minitorch.datasets["Diag"](10)
    model = linear(1.0, 1.0, -0.5)
    fig = check(plots.plot_decision_boundary(model, data, "Diag", resolution=10))
    grid = fig.score_grid
    assert grid[0, 0] == pytest.approx(0.05 + 0.05 - 0.5)  # centre of the first cell
    assert grid[9, 9] == pytest.approx(0.95 + 0.95 - 0.5)
    model.b.update(0.2)
    moved = plots.plot_decision_boundary(model, data, "Diag", resolution=10).score_grid
    assert np.allclose(moved - grid, 0.7)


def test_hidden_units_network_and_mlp() -> None:
    data = minitorch.datasets["Xor"](12)
    net = minitorch.Network()
    net.unit1.w_1.update(1.0)
    net.unit1.b.update(-0.5)
    fig = check(plots.plot_hidden_units(net, data, resolution=8))
    acts = fig.activations
    assert acts.shape == (2, 8, 8)
    assert acts[0, 0, 7] == pytest.approx(1.0 * (7.5 / 8) - 0.5)
    assert len([ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]) == 3
    fig = check(plots.plot_hidden_units(minitorch.MLP(3, seed=2), data, resolution=6))
    assert fig.activations.shape == (3, 6, 6)


def test_plot_training() -> None:
    data = minitorch.datasets["Simple"](10)
    log = minitorch.train(minitorch.LinearModel(), data, max_epochs=5)
    fig = check(plots.plot_training(log))
    loss_line = fig.axes[0].get_lines()[0]
    assert list(loss_line.get_ydata()) == [r.loss for r in log]


def test_plot_bars_draws_the_table() -> None:
    table = {"before": {"Xor": 0.8, "Circle": 0.7}, "after": {"Xor": 1.0, "Circle": 0.95}}
    fig = check(plots.plot_bars(table, "Accuracy", ylabel="accuracy", value_format="{:.0%}"))
    heights = [bar.get_height() for bar in fig.axes[0].patches]
    assert heights == [0.8, 0.7, 1.0, 0.95]
    assert fig.table == table
    with pytest.raises(ValueError, match="categories"):
        plots.plot_bars({"a": {"x": 1.0}, "b": {"y": 2.0}})


def test_compare_models_and_hcat() -> None:
    data = minitorch.datasets["Simple"](10)
    models = [linear(-1.0, 0.0, b) for b in (0.3, 0.5)]
    fig = check(plots.compare_models(models, data, ["b = 0.3", "b = 0.5"], resolution=6))
    assert titles(fig) == ["b = 0.3", "b = 0.5"]
    assert np.allclose(fig.score_grids[1] - fig.score_grids[0], 0.2)
    check(plots.hcat([plots.plot_dataset(data, "a"), plots.plot_dataset(data, "b")], "both"))


def test_show_loss_restores_the_parameter() -> None:
    data = minitorch.datasets["Simple"](8)
    model = linear(-1.0, 0.0, 0.4)

    def full_loss(m: minitorch.Module) -> float:
        pairs = zip(data.X, data.y, strict=True)
        return sum(minitorch.bce_loss(m(x), y).data for x, y in pairs)

    before = full_loss(model)
    fig = check(plots.show_loss(full_loss, model, "b", values=[0.0, 0.4, 0.8]))
    assert model.b.value.data == 0.4
    assert list(fig.axes[0].get_lines()[0].get_ydata())[1] == pytest.approx(before)


def test_a_notebook_cell_shows_exactly_one_figure() -> None:
    """Run in a real kernel: one PNG per cell, with or without pyplot imported."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from minitorch_lite import plots\n"
            'plots.plot_function("f(x)", lambda x: x * x)'
        ),
        nbformat.v4.new_code_cell(
            'import matplotlib.pyplot as plt\nplots.plot_function("g(x)", lambda x: x)'
        ),
        nbformat.v4.new_code_cell(
            'fig = plots.plot_dataset(__import__("minitorch_lite").datasets["Simple"](5), "s")\nfig'
        ),
    ]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    for cell in nb.cells:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, cell.outputs
