"""Speed report for minitorch_lite: ``nox -s bench`` runs ``python tools/bench.py``.

Four measurements, each printed as a table (with its target where there is one):

1. **Against micrograd.** One 2-16-16-1 ReLU network over 32 points, forward plus
   backward of a squared-error loss. The model is written once (:func:`forward_backward`)
   and runs on either library's value type, with the same weights as plain floats. The
   two libraries alternate in one process; ``gc.collect()`` comes before every timed run,
   so no run pays for the garbage of the one before. Reported with the garbage collector
   on (as users run it; target: median ratio ≤ 1.0) and off.
2. **The same, over other numbers of points** (collector on, no target). CPython runs a
   full collection, which walks every live object, after roughly 85,000 net allocations
   of tracked objects; a run pays for zero, one or two of them depending on its size, so
   the collector-on ratio jumps with the size. This table shows how much.
3. **Linear backward.** Backward through chains of 25,000, 50,000 and 100,000
   operations; doubling the chain may cost at most 2.3× (fitted on medians).
4. **Training.** Epochs per second of ``train(MLP(10), xor(50))``, the loop that the
   tests and the book's build run (no target: every gain shortens the build).
5. **Compiled.** The network of table 1 traced once by ``minitorch_lite.compile`` and
   replayed, against the same forward and backward written by hand on plain floats
   (:func:`by_hand`) and against micrograd, alternating, collector on. Targets: compiled
   ≤ 1.0× the hand-written floats, and ≥ 30× faster than micrograd.

Times are CPU time of this process by default (``--clock wall`` for wall-clock time): on a
shared two-core machine, wall-clock time mostly measures the neighbours. The script reports
and exits 0; with ``--check`` it exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

# Benchmark the library in this checkout, even when an installed copy exists.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from micrograd.engine import Value  # noqa: E402

import minitorch_lite  # noqa: E402
from minitorch_lite.datasets import xor  # noqa: E402

RATIO_TARGET = 1.0  # minitorch_lite / micrograd, collector on
DOUBLING_TARGET = 2.3  # backward time of a chain twice as long
CHAIN_SIZES = (25_000, 50_000, 100_000)
SHAPE = (2, 16, 16, 1)
N_POINTS = 32
SWEEP_POINTS = (16, 24, 32, 48, 64)
CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}

# A layer is (weights[out][in], biases[out]) of plain floats, shared by both libraries.
Layer = tuple[list[list[float]], list[float]]


# ----- the network, written once ---------------------------------------------------------
def make_weights(seed: int = 0) -> list[Layer]:
    """Weights and biases, uniform in [-1, 1), for every layer of ``SHAPE``."""
    rng = random.Random(seed)
    return [
        (
            [[rng.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)],
            [rng.uniform(-1, 1) for _ in range(n_out)],
        )
        for n_in, n_out in zip(SHAPE, SHAPE[1:], strict=False)
    ]


def make_data(n_points: int = N_POINTS, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """``n_points`` points in [0, 1]² with xor-like targets of ±1."""
    rng = random.Random(seed)
    xs = [[rng.random(), rng.random()] for _ in range(n_points)]
    ys = [1.0 if (a > 0.5) != (b > 0.5) else -1.0 for a, b in xs]
    return xs, ys


def build(make_value: Callable[[float], Any], weights: list[Layer]) -> list[Any]:
    """The parameters as the library's leaf values, in the layout of ``weights``."""
    return [
        ([[make_value(w) for w in row] for row in ws], [make_value(b) for b in bs])
        for ws, bs in weights
    ]


def forward_backward(
    make_value: Callable[[float], Any],
    params: list[Any],
    xs: Sequence[Sequence[float]],
    ys: Sequence[float],
) -> Any:
    """Sum of squared errors of the ReLU network over all points, then ``backward()``.

    Uses only what both libraries share: ``+``, ``*``, ``.relu()`` and ``.backward()``.
    """
    last = len(params) - 1
    total = make_value(0.0)
    for x, y in zip(xs, ys, strict=True):
        h = [make_value(v) for v in x]
        for k, (ws, bs) in enumerate(params):
            out = []
            for row, b in zip(ws, bs, strict=True):
                s = b
                for w, v in zip(row, h, strict=True):
                    s = s + w * v
                out.append(s if k == last else s.relu())
            h = out
        err = h[0] + (-y)
        total = total + err * err
    total.backward()
    return total


def by_hand(
    weights: list[Layer], xs: Sequence[Sequence[float]], ys: Sequence[float]
) -> tuple[float, list[Layer]]:
    """:func:`forward_backward` written by hand on plain floats: loss and gradients."""
    last = len(weights) - 1
    grads: list[Layer] = [([[0.0] * len(r) for r in ws], [0.0] * len(bs)) for ws, bs in weights]
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        acts = [list(x)]  # the input of every layer
        pre = []  # every layer's sums before the ReLU
        h = list(x)
        for k, (ws, bs) in enumerate(weights):
            sums = []
            for row, b in zip(ws, bs, strict=True):
                s = b
                for w, v in zip(row, h, strict=True):
                    s += w * v
                sums.append(s)
            pre.append(sums)
            h = sums if k == last else [s if s > 0.0 else 0.0 for s in sums]
            acts.append(h)
        err = h[0] - y
        total += err * err
        d = [2.0 * err]
        for k in range(last, -1, -1):
            ws, _ = weights[k]
            gw, gb = grads[k]
            if k != last:
                d = [g if s > 0.0 else 0.0 for g, s in zip(d, pre[k], strict=True)]
            inp = acts[k]
            d_in = [0.0] * len(inp)
            for j, g in enumerate(d):
                gb[j] += g
                row, grow = ws[j], gw[j]
                for i, v in enumerate(inp):
                    grow[i] += g * v
                    d_in[i] += g * row[i]
            d = d_in
    return total, grads


def flat(weights: list[Layer]) -> list[float]:
    """Every weight and bias, in the order :func:`compiled_network` takes them."""
    return [x for ws, bs in weights for row in ws for x in row] + [
        b for _, bs in weights for b in bs
    ]


def compiled_network(xs: Sequence[Sequence[float]], ys: Sequence[float]) -> Any:
    """The loss of :func:`forward_backward` as a function of every parameter, compiled."""
    weights = make_weights()
    n_w = sum(len(row) for ws, _ in weights for row in ws)

    def loss(*values: minitorch_lite.Scalar) -> minitorch_lite.Scalar:
        it_w, it_b = iter(values[:n_w]), iter(values[n_w:])
        params = [
            ([[next(it_w) for _ in row] for row in ws], [next(it_b) for _ in bs])
            for ws, bs in weights
        ]
        last = len(params) - 1
        total: Any = 0.0
        for x, y in zip(xs, ys, strict=True):
            h: list[Any] = list(x)
            for k, (pw, pb) in enumerate(params):
                out = []
                for row, b in zip(pw, pb, strict=True):
                    s = b
                    for w, v in zip(row, h, strict=True):
                        s = s + w * v
                    out.append(s if k == last else s.relu())
                h = out
            err = h[0] + (-y)
            total = total + err * err
        return total

    return minitorch_lite.compile(loss, len(flat(weights)))


def micrograd_value(v: float) -> Value:
    """micrograd's leaf value."""
    return Value(v)


LIBRARIES: dict[str, Callable[[float], Any]] = {
    "minitorch_lite": minitorch_lite.Scalar,
    "micrograd": micrograd_value,
}


# ----- timing ------------------------------------------------------------------------------
@dataclass
class Timing:
    """One timed run: seconds, and how many full (generation 2) collections it paid for."""

    seconds: float
    full_collections: int


def timed(run: Callable[[], Any], collector: bool, clock: Callable[[], float]) -> Timing:
    """Time ``run()`` after a full collection, with the collector on or off.

    The result stays alive until the clock has stopped, so neither library is timed
    freeing its graph (micrograd's cycles are freed by the next untimed collection).
    """
    full = 0

    def count_full(phase: str, info: dict[str, int]) -> None:
        nonlocal full
        if phase == "start" and info["generation"] == 2:
            full += 1

    gc.collect()
    gc.callbacks.append(count_full)
    if not collector:
        gc.disable()
    try:
        start = clock()
        result = run()
        elapsed = clock() - start
    finally:
        gc.enable()
        gc.callbacks.remove(count_full)
    del result
    return Timing(elapsed, full)


def compare(
    runs: int, collector: bool, clock: Callable[[], float], n_points: int = N_POINTS
) -> dict[str, list[Timing]]:
    """Alternate the two libraries ``runs`` times on the network; each library's timings."""
    weights = make_weights()
    xs, ys = make_data(n_points)
    timings: dict[str, list[Timing]] = {name: [] for name in LIBRARIES}
    names = list(LIBRARIES)
    for i in range(runs):
        for name in names if i % 2 == 0 else names[::-1]:  # who goes first alternates too
            make_value = LIBRARIES[name]
            run = partial(forward_backward, make_value, build(make_value, weights), xs, ys)
            timings[name].append(timed(run, collector, clock))
    return timings


def summary(timings: dict[str, list[Timing]]) -> tuple[float, float, float, str]:
    """Median times of both libraries, the median per-round ratio, full collections per run."""
    mt, mg = timings["minitorch_lite"], timings["micrograd"]
    ratio = statistics.median(a.seconds / b.seconds for a, b in zip(mt, mg, strict=True))
    fulls = "/".join(f"{statistics.median(t.full_collections for t in ts):g}" for ts in (mt, mg))
    return (
        statistics.median(t.seconds for t in mt),
        statistics.median(t.seconds for t in mg),
        ratio,
        fulls,
    )


def check_same_result() -> None:
    """Both libraries must compute the same loss and derivatives (else the race is unfair)."""
    weights = make_weights()
    xs, ys = make_data()
    results = {}
    for name, make_value in LIBRARIES.items():
        params = build(make_value, weights)
        loss = forward_backward(make_value, params, xs, ys)
        first = params[0][0][0][0]
        d = first.derivative if name == "minitorch_lite" else first.grad
        results[name] = (loss.data, d)
    (l1, d1), (l2, d2) = results.values()
    if not (
        math.isclose(l1, l2, rel_tol=1e-9) and math.isclose(d1, d2, rel_tol=1e-9, abs_tol=1e-12)
    ):
        raise SystemExit(f"the libraries disagree: {results}")


def chain_backward(n: int, clock: Callable[[], float]) -> Timing:
    """Time ``backward()`` through ``y = y * 1.0`` applied ``n`` times (collector on)."""
    x = minitorch_lite.Scalar(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0
    timing = timed(y.backward, True, clock)
    if x.derivative != 1.0:
        raise SystemExit(f"chain of {n}: derivative {x.derivative}, expected 1.0")
    return timing


def train_epoch_seconds(epochs: int, clock: Callable[[], float]) -> float:
    """Seconds per epoch of ``train(MLP(10), xor(50))`` (collector on)."""
    data = xor(50)
    model = minitorch_lite.MLP(10)
    run = partial(minitorch_lite.train, model, data, max_epochs=epochs)
    return timed(run, True, clock).seconds / epochs


# ----- report ------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f} ms"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs per library (≥ 15)")
    parser.add_argument("--chain-runs", type=int, default=7, help="timed runs per chain length")
    parser.add_argument("--sweep-runs", type=int, default=9, help="runs per size in table 2")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    args = parser.parse_args(argv)
    if args.runs < 15 or args.chain_runs < 3 or args.sweep_runs < 1:
        parser.error("use at least 15 runs, 3 chain runs and 1 sweep run")
    clock = CLOCKS[args.clock]

    print(f"Python {platform.python_version()} · micrograd {metadata.version('micrograd')}")
    print(f"minitorch_lite from {Path(minitorch_lite.__file__).parent}")
    print(f"clock: {args.clock} ({clock.__name__}); times are medians")
    check_same_result()
    for make_value in LIBRARIES.values():  # warm up both
        forward_backward(make_value, build(make_value, make_weights()), *make_data())

    misses: list[str] = []
    shape = "-".join(map(str, SHAPE))
    header = f"{'minitorch_lite':>16}{'micrograd':>16}{'ratio':>9}{'full GCs':>10}"
    print(f"\n1. {shape} ReLU network, {N_POINTS} points, forward + backward, {args.runs} runs")
    print(f"   {'collector':<10}{header}  target")
    for collector in (True, False):
        mt, mg, ratio, fulls = summary(compare(args.runs, collector, clock))
        if collector:
            target = f"≤ {RATIO_TARGET:.1f}  {verdict(ratio <= RATIO_TARGET)}"
            if ratio > RATIO_TARGET:
                misses.append(f"ratio with the collector on is {ratio:.2f}")
        else:
            target = "(reported)"
        label = "on" if collector else "off"
        print(f"   {label:<10}{ms(mt):>16}{ms(mg):>16}{ratio:>8.2f}×{fulls:>10}  {target}")
    print("   ratio: median over rounds of minitorch_lite / micrograd")
    print("   full GCs: full collections per run, minitorch_lite/micrograd")

    print(f"\n2. the same with the collector on, by number of points, {args.sweep_runs} runs each")
    print(f"   {'points':<10}{header}")
    for n_points in SWEEP_POINTS:
        mt, mg, ratio, fulls = summary(compare(args.sweep_runs, True, clock, n_points))
        print(f"   {n_points:<10}{ms(mt):>16}{ms(mg):>16}{ratio:>8.2f}×{fulls:>10}")

    print(f"\n3. backward through a chain of n operations, median of {args.chain_runs} runs")
    medians = []
    for n in CHAIN_SIZES:
        timings = [chain_backward(n, clock) for _ in range(args.chain_runs)]
        t = statistics.median(x.seconds for x in timings)
        fulls = statistics.median(x.full_collections for x in timings)
        medians.append(t)
        print(f"   n = {n:>7,}  {ms(t)}   {t / n * 1e9:6.0f} ns per operation   full GCs {fulls:g}")
    logs = [(math.log(n), math.log(t)) for n, t in zip(CHAIN_SIZES, medians, strict=True)]
    mean_x = statistics.fmean(x for x, _ in logs)
    mean_y = statistics.fmean(y for _, y in logs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in logs) / sum(
        (x - mean_x) ** 2 for x, _ in logs
    )
    doubling = 2.0**slope
    steps = " · ".join(f"{b / a:.2f}×" for a, b in zip(medians, medians[1:], strict=False))
    print(f"   fitted growth: time ∝ n^{slope:.2f}; doubling costs {doubling:.2f}× (steps {steps})")
    print(f"   target: doubling ≤ {DOUBLING_TARGET}×  {verdict(doubling <= DOUBLING_TARGET)}")
    if doubling > DOUBLING_TARGET:
        misses.append(f"doubling the chain costs {doubling:.2f}×")

    epochs = 10
    per_epoch = statistics.median(train_epoch_seconds(epochs, clock) for _ in range(3))
    print(f"\n4. train(MLP(10), xor(50)), {epochs} epochs, median of 3")
    print(f"   {ms(per_epoch)} per epoch = {1 / per_epoch:.1f} epochs/s   (reported, no target)")

    weights = make_weights()
    xs, ys = make_data()
    start = clock()
    replay = compiled_network(xs, ys)
    compile_s = clock() - start
    values = flat(weights)
    c_loss, c_grads = replay(*values)
    h_loss, h_grads = by_hand(weights, xs, ys)
    if not math.isclose(c_loss, h_loss, rel_tol=1e-9) or not math.isclose(
        c_grads[0], h_grads[0][0][0][0], rel_tol=1e-9, abs_tol=1e-12
    ):
        raise SystemExit(f"compiled and hand-written disagree: {c_loss} vs {h_loss}")
    mg_params = build(micrograd_value, weights)
    runs5: dict[str, Callable[[], Any]] = {
        "compiled": partial(replay, *values),
        "by hand": partial(by_hand, weights, xs, ys),
        "micrograd": lambda: forward_backward(
            micrograd_value, build(micrograd_value, weights), xs, ys
        ),
    }
    del mg_params
    t5: dict[str, list[float]] = {k: [] for k in runs5}
    order = list(runs5)
    for i in range(args.runs):
        for name in order if i % 2 == 0 else order[::-1]:
            t5[name].append(timed(runs5[name], True, clock).seconds)
    med = {k: statistics.median(v) for k, v in t5.items()}
    vs_hand = statistics.median(a / b for a, b in zip(t5["compiled"], t5["by hand"], strict=True))
    vs_mg = statistics.median(b / a for a, b in zip(t5["compiled"], t5["micrograd"], strict=True))
    print(
        f"\n5. compiled replay ({replay.n_lines:,} lines, compiled in {compile_s:.2f} s), "
        f"{shape}, {N_POINTS} points, forward + backward, {args.runs} runs, collector on"
    )
    for name in order:
        print(f"   {name:<12}{ms(med[name])}")
    print(f"   compiled / by hand    {vs_hand:6.2f}×   target ≤ 1.0   {verdict(vs_hand <= 1.0)}")
    print(f"   micrograd / compiled  {vs_mg:6.1f}×   target ≥ 30    {verdict(vs_mg >= 30)}")
    if vs_hand > 1.0:
        misses.append(f"compiled is {vs_hand:.2f}× the hand-written floats")
    if vs_mg < 30:
        misses.append(f"compiled is only {vs_mg:.1f}× faster than micrograd")

    print("\n" + ("all targets met" if not misses else "MISSED: " + "; ".join(misses)))
    return 1 if misses and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
