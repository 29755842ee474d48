"""Shared hypothesis strategies and numeric tolerances for the library tests.

Ranges are chosen so that the central difference is a trustworthy oracle: values stay
moderate (no overflow, no catastrophic cancellation) and inputs that feed a kink or a pole
(``relu`` at 0, ``1/x`` at 0, ``log`` at 0) are kept away from it.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


#: Any moderate float, zero included.
small_floats = _floats(-100.0, 100.0)

#: Floats for ``exp``: large enough to matter, small enough that ``exp`` stays finite.
exp_floats = _floats(-30.0, 30.0)

#: Strictly positive floats, not too close to zero (``log``, ``1/x``).
positive_floats = _floats(0.1, 100.0)

#: Floats at least 1e-3 away from zero (``relu``'s kink, ``1/x``'s pole).
nonzero_floats = st.one_of(_floats(-100.0, -1e-3), _floats(1e-3, 100.0))

#: Inputs for ``1/x`` whose derivative ``-1/x^2`` stays moderate.
inv_floats = st.one_of(_floats(-100.0, -0.1), _floats(0.1, 100.0))

#: Huge magnitudes where a naive sigmoid or log-sigmoid would overflow or hit log(0).
huge_floats = st.one_of(_floats(-1e6, -50.0), _floats(50.0, 1e6))

#: Lists of moderate floats.
float_lists = st.lists(small_floats, max_size=20)


@st.composite
def float_pairs_apart(draw: st.DrawFn, gap: float = 1e-3) -> tuple[float, float]:
    """Two moderate floats at least ``gap`` apart (away from ``lt``'s jump)."""
    x = draw(small_floats)
    y = draw(small_floats.filter(lambda v: abs(v - x) >= gap))
    return x, y


# ----- Random expression trees -------------------------------------------------------
#
# A tree is nested tuples:
#   ("var", i)                 the i-th input variable (reused variables share a leaf)
#   ("const", c)               a constant Scalar
#   ("unary", name, child)
#   ("binary", name, left, right)
#   ("scalar_op", name, c, child)  mixes a Python float with a Scalar (reflected forms)
# test_scalar_functions.py evaluates a tree both on Scalars and on plain floats.

N_VARS = 3

UNARY_OPS = ("neg", "exp", "log", "sigmoid", "relu", "inv", "log_sigmoid")
BINARY_OPS = ("add", "sub", "mul", "div", "lt", "gt", "eq")
SCALAR_OPS = ("add_c", "c_add", "mul_c", "c_mul", "c_sub", "sub_c", "c_div", "div_c")

_constants = _floats(-2.0, 2.0)
_nonzero_constants = st.one_of(_floats(-3.0, -0.1), _floats(0.1, 3.0))

# Comparisons have derivative 0 and cut the paths below them, so they are drawn rarely.
_SMOOTH_BINARY = ("add", "sub", "mul", "div")
_NODE_KINDS = ("leaf", "unary", "unary", "unary", "binary", "binary", "binary", "scalar_op")


@st.composite
def expressions(draw: st.DrawFn, max_depth: int = 5) -> tuple:
    """Random expression trees over N_VARS variables, at most ``max_depth`` deep.

    Written out by hand (rather than ``st.recursive``) so every operation turns up often:
    an inner node is unary, binary or a float-with-Scalar operation in 3:3:1 proportion.
    """

    def node(depth: int) -> tuple:
        kind = "leaf" if depth == 0 else draw(st.sampled_from(_NODE_KINDS))
        if kind == "leaf":
            if draw(st.integers(0, 3)) == 0:
                return ("const", draw(_constants))
            return ("var", draw(st.integers(0, N_VARS - 1)))
        if kind == "unary":
            return ("unary", draw(st.sampled_from(UNARY_OPS)), node(depth - 1))
        if kind == "binary":
            ops = BINARY_OPS if draw(st.integers(0, 3)) == 0 else _SMOOTH_BINARY
            return ("binary", draw(st.sampled_from(ops)), node(depth - 1), node(depth - 1))
        c = draw(_nonzero_constants)
        return ("scalar_op", draw(st.sampled_from(SCALAR_OPS)), c, node(depth - 1))

    return node(max_depth)


#: Values for the N_VARS input variables.
expression_inputs = st.lists(_floats(-2.0, 2.0), min_size=N_VARS, max_size=N_VARS)


def close(a: float, b: float, rel: float = 1e-4, abs_: float = 1e-4) -> bool:
    """Whether ``a`` and ``b`` agree to the tolerance used for derivative checks."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
