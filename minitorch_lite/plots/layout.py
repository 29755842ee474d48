"""Where each node of a computation graph goes, and what backpropagation does at each step.

No matplotlib here: :class:`GraphLayout` is plain geometry read from the Scalars'
``history`` (columns follow the data flow, rows are ordered to reduce crossings), and
:func:`backprop_steps` records a run of the library's own
:func:`~minitorch_lite.backpropagate`. :mod:`.graphs` draws both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ..autodiff import backpropagate
from ..scalar import Scalar

Key = tuple[str, int]
Edge = tuple[Key, Key, int]


class Node:
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
        self.nodes: dict[Key, Node] = {}
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
            v = self.nodes[("v", s.unique_id)] = Node(("v", s.unique_id), "value", s)
            h = s.history
            if h is None or h.last_fn is None:
                continue
            first = 1 + max(self.nodes[("v", p.unique_id)].layer for p in h.inputs)
            if compact:  # the value node doubles as its function's box
                v.layer, f = first, v
            else:
                f = self.nodes[("f", s.unique_id)] = Node(("f", s.unique_id), "fn", s)
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
                d = Node(("d", n_dummy), "dummy", None)
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
    def functions(self) -> list[Node]:
        """The function boxes, one per operation."""
        if self.compact:
            return [n for n in self.values if self.is_op(n.scalar)]  # type: ignore[arg-type]
        return [n for n in self.nodes.values() if n.kind == "fn"]

    def box_key(self, s: Scalar) -> Key:
        """The key of the box of the function that made ``s``."""
        return ("v" if self.compact else "f", s.unique_id)

    @property
    def values(self) -> list[Node]:
        """The value nodes, one per Scalar in the graph."""
        return [n for n in self.nodes.values() if n.kind == "value"]

    def _place(self) -> None:
        layers: list[list[Node]] = [[] for _ in range(self.n_layers)]
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


def choose_layout(output: Scalar, compact: bool | None) -> GraphLayout:
    """The layout to draw: ``compact`` if given, else compact only for graphs over 13 columns."""
    layout = GraphLayout(output, bool(compact))
    if compact is None and layout.n_layers > 13:
        layout = GraphLayout(output, True)
    return layout


class BackpropStep(NamedTuple):
    """What one step of backpropagation did."""

    node: Scalar  #: the Scalar whose function's chain rule ran
    d: float  #: the derivative it received (the sum over all its uses)
    sent: list[tuple[Scalar, float]]  #: ``node.chain_rule(d)``: each input and its share
    totals: dict[int, float]  #: every derivative known after this step, by unique_id


class _Watched:
    """A Scalar as :func:`~minitorch_lite.backpropagate` sees it, reporting what it is told.

    It follows the library's ``Variable`` protocol by passing every question to the
    Scalar; only ``chain_rule`` and ``accumulate_derivative`` are noted down, and the
    leaves' own ``.derivative`` is left alone.
    """

    def __init__(self, scalar: Scalar, watch: _Watch) -> None:
        self.scalar = scalar
        self.watch = watch
        self.derivative: float | None = None

    @property
    def unique_id(self) -> int:
        return self.scalar.unique_id

    @property
    def parents(self) -> Iterable[_Watched]:
        return [self.watch.of(p) for p in self.scalar.parents]

    def is_leaf(self) -> bool:
        return self.scalar.is_leaf()

    def is_constant(self) -> bool:
        return self.scalar.is_constant()

    def accumulate_derivative(self, x: float) -> None:
        self.derivative = x if self.derivative is None else self.derivative + x
        self.watch.totals[self.unique_id] = self.derivative

    def chain_rule(self, d_output: float) -> list[tuple[_Watched, float]]:
        sent = self.scalar.chain_rule(d_output)
        self.watch.step(self.scalar, d_output, sent)
        return [(self.watch.of(p), d) for p, d in sent]


class _Watch:
    """One :class:`_Watched` per Scalar (backpropagate keys its tables on identity)."""

    def __init__(self, output: Scalar, d_output: float) -> None:
        self.watched: dict[int, _Watched] = {}
        self.totals: dict[int, float] = {output.unique_id: d_output}
        self.steps: list[BackpropStep] = []

    def of(self, scalar: Scalar) -> _Watched:
        if scalar.unique_id not in self.watched:
            self.watched[scalar.unique_id] = _Watched(scalar, self)
        return self.watched[scalar.unique_id]

    def step(self, node: Scalar, d: float, sent: list[tuple[Scalar, float]]) -> None:
        for parent, share in sent:  # what backpropagate's running sums now hold
            self.totals[parent.unique_id] = self.totals.get(parent.unique_id, 0.0) + share
        self.steps.append(BackpropStep(node, d, list(sent), dict(self.totals)))


def backprop_steps(output: Scalar) -> list[BackpropStep]:
    """Run :func:`minitorch_lite.backpropagate` from ``output``, recording every step.

    One step per Scalar made by a function, in the order backpropagate calls its
    ``chain_rule``; the leaves' final totals are what ``output.backward()`` puts in their
    ``.derivative`` (which is not touched here).
    """
    watch = _Watch(output, 1.0)
    backpropagate(watch.of(output), 1.0)
    return watch.steps


def derivatives(output: Scalar) -> dict[int, float]:
    """d output / d value for every value of the graph, by ``unique_id``, as backpropagate
    computes them (the leaves' ``.derivative`` is not touched)."""
    watch = _Watch(output, 1.0)
    backpropagate(watch.of(output), 1.0)
    return watch.totals
