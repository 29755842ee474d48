"""Tests for ``Module`` and ``Parameter``: module trees, dotted parameter names,
train/eval through the tree, add_parameter, Parameter.update, and seed 003's model."""

from __future__ import annotations

import pprint

import pytest

import minitorch_lite as minitorch
from minitorch_lite import Module, Parameter, Scalar

# ----- A small tree of modules -------------------------------------------------------


class Leaf(Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.p = Parameter(Scalar(value))
        self.not_a_parameter = 5.0  # plain attributes are not parameters


class Middle(Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = Parameter(Scalar(1.0))
        self.left = Leaf(2.0)
        self.right = Leaf(3.0)


class Top(Module):
    def __init__(self) -> None:
        super().__init__()
        self.bias = Parameter(Scalar(0.5))
        self.middle = Middle()
        self.extra = Leaf(4.0)

    def forward(self, x: Scalar) -> Scalar:
        return x * self.middle.weight.value + self.bias.value


def all_modules(m: Module) -> list[Module]:
    """Our own walk of the tree through ``modules()`` (direct children)."""
    out, stack = [], [m]
    while stack:
        cur = stack.pop()
        out.append(cur)
        stack.extend(cur.modules())
    return out


def test_named_parameters_are_dotted() -> None:
    top = Top()
    named = dict(top.named_parameters())
    assert set(named) == {
        "bias",
        "middle.weight",
        "middle.left.p",
        "middle.right.p",
        "extra.p",
    }
    assert named["middle.left.p"] is top.middle.left.p
    assert named["middle.right.p"].value.data == 3.0
    assert named["extra.p"].value.data == 4.0


def test_parameters_match_named_parameters() -> None:
    top = Top()
    params = top.parameters()
    assert len(params) == 5
    assert {id(p) for p in params} == {id(p) for _, p in top.named_parameters()}
    assert all(isinstance(p, Parameter) for p in params)


def test_modules_lists_direct_children() -> None:
    top = Top()
    children = top.modules()
    assert len(children) == 2
    assert {id(c) for c in children} == {id(top.middle), id(top.extra)}
    assert len(top.middle.modules()) == 2
    assert top.extra.modules() == []
    assert len(all_modules(top)) == 5


def test_plain_attributes_stay_plain() -> None:
    leaf = Leaf(1.0)
    assert leaf.not_a_parameter == 5.0
    assert [name for name, _ in leaf.named_parameters()] == ["p"]


def test_train_and_eval_reach_every_module() -> None:
    top = Top()
    assert all(m.training for m in all_modules(top))
    top.eval()
    assert not any(m.training for m in all_modules(top))
    top.train()
    assert all(m.training for m in all_modules(top))
    top.middle.eval()  # a subtree only
    assert top.training and top.extra.training
    assert not top.middle.training and not top.middle.left.training


def test_call_runs_forward() -> None:
    top = Top()
    out = top(Scalar(2.0))
    assert isinstance(out, Scalar)
    assert out.data == 2.5


def test_repr_is_readable() -> None:
    text = repr(Top())
    for word in ("Top", "middle", "Middle", "left", "right", "extra", "Leaf"):
        assert word in text
    # Nested modules are indented under their parent.
    lines = text.splitlines()
    indent = {ln.strip().split(":")[0]: len(ln) - len(ln.lstrip()) for ln in lines}
    assert indent["(left)"] > indent["(middle)"]


def test_add_parameter() -> None:
    class Weights(Module):
        def __init__(self, in_size: int) -> None:
            super().__init__()
            self.weights = [self.add_parameter(f"weight_{i}", Scalar(0.0)) for i in range(in_size)]

    m = Weights(3)
    assert [name for name, _ in m.named_parameters()] == ["weight_0", "weight_1", "weight_2"]
    assert all(isinstance(p, Parameter) for p in m.weights)
    assert dict(m.named_parameters())["weight_1"] is m.weights[1]
    assert m.weight_2 is m.weights[2]


def test_add_parameter_in_a_child_gets_a_dotted_name() -> None:
    top = Top()
    top.extra.add_parameter("q", Scalar(9.0))
    assert dict(top.named_parameters())["extra.q"].value.data == 9.0


# ----- Parameter ---------------------------------------------------------------------


def test_parameter_update() -> None:
    p = Parameter(Scalar(1.0))
    new = Scalar(2.0)
    p.update(new)
    assert p.value is new


def test_parameter_name() -> None:
    assert Parameter(Scalar(1.0), name="w").name == "w"
    assert Parameter(Scalar(1.0)).name in (None, "")


@pytest.mark.parametrize("value", [0.0, 1.5, -2.25])
def test_parameter_repr_is_the_value_repr(value: float) -> None:
    assert repr(Parameter(Scalar(value))) == f"Scalar({value!r})"
    assert repr(Parameter(Scalar(value))) == repr(Scalar(value))


def test_parameter_update_in_a_module_is_seen_by_named_parameters() -> None:
    leaf = Leaf(1.0)
    leaf.p.update(Scalar(7.0))
    assert dict(leaf.named_parameters())["p"].value.data == 7.0


# ----- Seed 003's teaching model -----------------------------------------------------

SEED_003_NAMES = [
    "unit1.w_1",
    "unit1.w_2",
    "unit1.b",
    "unit2.w_1",
    "unit2.w_2",
    "unit2.b",
    "classify.w_1",
    "classify.w_2",
    "classify.b",
]

# What seed 003 prints for ``dict(model.named_parameters())`` (IPython pretty-prints a dict
# one entry per line, as ``pprint`` does).
SEED_003_OUTPUT = """\
{'unit1.w_1': Scalar(0.0),
 'unit1.w_2': Scalar(0.0),
 'unit1.b': Scalar(0.0),
 'unit2.w_1': Scalar(0.0),
 'unit2.w_2': Scalar(0.0),
 'unit2.b': Scalar(0.0),
 'classify.w_1': Scalar(0.0),
 'classify.w_2': Scalar(0.0),
 'classify.b': Scalar(0.0)}"""


def test_teaching_network_parameter_names(teaching_network) -> None:
    assert [name for name, _ in teaching_network.named_parameters()] == SEED_003_NAMES


def test_teaching_network_prints_like_seed_003(teaching_network) -> None:
    parameters = dict(teaching_network.named_parameters())
    assert pprint.pformat(parameters, sort_dicts=False) == SEED_003_OUTPUT
    assert repr(parameters) == SEED_003_OUTPUT.replace("\n", "")


def test_linear_module_parameters() -> None:
    lin = minitorch.LinearModel()
    assert [name for name, _ in lin.named_parameters()] == ["w_1", "w_2", "b"]
    assert all(p.value.data == 0.0 for p in lin.parameters())


def set_parameters(model: Module, values: dict[str, float]) -> None:
    named = dict(model.named_parameters())
    for name, v in values.items():
        named[name].update(Scalar(v))


TEACHING_VALUES = {
    "unit1.w_1": 1.0,
    "unit1.w_2": -2.0,
    "unit1.b": 0.5,
    "unit2.w_1": -1.0,
    "unit2.w_2": 1.0,
    "unit2.b": 0.25,
    "classify.w_1": 3.0,
    "classify.w_2": -4.0,
    "classify.b": 0.1,
}


def expected_score(x1: float, x2: float) -> float:
    v = TEACHING_VALUES
    h1 = max(0.0, x1 * v["unit1.w_1"] + x2 * v["unit1.w_2"] + v["unit1.b"])
    h2 = max(0.0, x1 * v["unit2.w_1"] + x2 * v["unit2.w_2"] + v["unit2.b"])
    return h1 * v["classify.w_1"] + h2 * v["classify.w_2"] + v["classify.b"]


def test_teaching_network_forward(teaching_network) -> None:
    # All zeros: the score is 0 (seed 003's ``model.forward((0.5, 0.5))``).
    out = teaching_network.forward((0.5, 0.5))
    assert isinstance(out, Scalar) and out.data == 0.0
    set_parameters(teaching_network, TEACHING_VALUES)
    for x in [(0.5, 0.5), (0.1, 0.9), (0.9, 0.1), (0.3, 0.2)]:
        assert teaching_network.forward(x).data == pytest.approx(expected_score(*x))
        assert teaching_network(x).data == pytest.approx(expected_score(*x))
        scalars = (Scalar(x[0]), Scalar(x[1]))
        assert teaching_network.forward(scalars).data == pytest.approx(expected_score(*x))


def test_teaching_network_derivatives_reach_every_parameter(teaching_network) -> None:
    set_parameters(teaching_network, TEACHING_VALUES)
    x = (0.9, 0.1)  # both hidden units active
    teaching_network.forward(x).backward()
    named = dict(teaching_network.named_parameters())
    for name, p in named.items():
        # Numerical derivative: nudge this one parameter.
        def score_with(v: float, name: str = name) -> float:
            old = TEACHING_VALUES[name]
            TEACHING_VALUES[name] = v
            try:
                return expected_score(*x)
            finally:
                TEACHING_VALUES[name] = old

        numerical = minitorch.central_difference(score_with, TEACHING_VALUES[name])
        assert p.value.derivative == pytest.approx(numerical, abs=1e-5), name


class MockParam:
    """MiniTorch's Module-0 test double: records ``requires_grad_``."""

    def __init__(self) -> None:
        self.x = False

    def requires_grad_(self, x: bool) -> None:
        self.x = x


def test_parameter_calls_requires_grad_as_minitorch_does() -> None:
    t = MockParam()
    q = Parameter(t)
    assert t.x
    t2 = MockParam()
    q.update(t2)
    assert t2.x


def test_parameter_makes_a_constant_scalar_a_named_leaf() -> None:
    c = Scalar(2.0, None)
    p = Parameter(c, name="w")
    assert p.value is c and c.is_leaf() and c.name == "w"
