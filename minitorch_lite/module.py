"""``Module`` and ``Parameter``: models as trees of named, trainable values.

A Module's attributes that are Parameters or Modules are registered
automatically, so ``named_parameters()`` can walk the tree and give each
parameter a dotted name such as ``"unit1.w_1"``.
"""

from __future__ import annotations

from typing import Any

from .scalar import Scalar


class Parameter:
    """A trainable value held by a Module. Its repr is the value's repr.

    A plain number is wrapped in a :class:`~minitorch_lite.Scalar`. As in MiniTorch, a
    value that has ``requires_grad_`` is told ``requires_grad_(True)`` (a Scalar becomes
    a leaf, so ``backward`` fills in its derivative), and takes the parameter's name.
    """

    def __init__(self, value: Any = None, name: str | None = None) -> None:
        self.name = name
        self.value: Any = None
        self.update(value)

    def update(self, x: Any) -> None:
        """Replace the value."""
        if isinstance(x, bool):
            raise TypeError(f"Parameter expects a number or a Scalar, got bool {x!r}")
        if isinstance(x, int | float):
            x = Scalar(x)
        self.value = x
        if hasattr(x, "requires_grad_"):
            x.requires_grad_(True)
            if self.name:
                x.name = self.name

    def __repr__(self) -> str:
        return repr(self.value)

    def __str__(self) -> str:
        return str(self.value)


class Module:
    """Base class of models. Subclasses call ``super().__init__()`` first.

    Attributes that are :class:`Parameter` or :class:`Module` instances become the
    module's parameters and children. Calling a module runs its ``forward``.
    """

    _modules: dict[str, Module]
    _parameters: dict[str, Parameter]
    training: bool

    def __init__(self) -> None:
        self.__dict__["_modules"] = {}
        self.__dict__["_parameters"] = {}
        self.__dict__["training"] = True

    def _registry(self, kind: str) -> dict[str, Any]:
        try:
            return self.__dict__[kind]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__}.__init__ must call super().__init__() "
                "before assigning parameters or modules"
            ) from None

    def __setattr__(self, key: str, val: Any) -> None:
        if isinstance(val, Parameter):
            if val.name is None:
                val.name = key
                val.update(val.value)
            self._registry("_parameters")[key] = val
        elif isinstance(val, Module):
            self._registry("_modules")[key] = val
        else:
            super().__setattr__(key, val)

    def __getattr__(self, key: str) -> Any:
        d = self.__dict__
        if key in d.get("_parameters", {}):
            return d["_parameters"][key]
        if key in d.get("_modules", {}):
            return d["_modules"][key]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}")

    def modules(self) -> list[Module]:
        """The direct child modules."""
        return list(self._registry("_modules").values())

    def named_modules(self) -> list[tuple[str, Module]]:
        """Every descendant module with its dotted name (depth first)."""
        out: list[tuple[str, Module]] = []
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:
            prefix, mod = stack.pop()
            children = list(mod._registry("_modules").items())
            for name, child in reversed(children):
                stack.append((f"{prefix}{name}.", child))
            if mod is not self:
                out.append((prefix[:-1], mod))
        return out

    def train(self) -> None:
        """Put this module and all its descendants in training mode."""
        for mod in [self, *(m for _, m in self.named_modules())]:
            mod.__dict__["training"] = True

    def eval(self) -> None:
        """Put this module and all its descendants in evaluation mode."""
        for mod in [self, *(m for _, m in self.named_modules())]:
            mod.__dict__["training"] = False

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """Every parameter of the tree with its dotted name, this module's first."""
        out = list(self._registry("_parameters").items())
        for prefix, mod in self.named_modules():
            out.extend((f"{prefix}.{name}", p) for name, p in mod._registry("_parameters").items())
        return out

    def parameters(self) -> list[Parameter]:
        """Every parameter of the tree."""
        return [p for _, p in self.named_parameters()]

    def add_parameter(self, name: str, value: Any) -> Parameter:
        """Register ``value`` as a parameter called ``name`` and return it."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"parameter name must be an identifier, got {name!r}")
        p = Parameter(value, name)
        self._registry("_parameters")[name] = p
        return p

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What the module computes. Subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def __repr__(self) -> str:
        children = self._registry("_modules").items()
        lines = [f"({name}): {_indent(repr(mod))}" for name, mod in children]
        if not lines:
            return f"{type(self).__name__}()"
        body = "\n  ".join(lines)
        return f"{type(self).__name__}(\n  {body}\n)"


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")
