"""The import graph of ``src/dimsekit``: no cycle, layers that import only those below
them, and no reach into another module's or another layer's private names.

Read from the source with :mod:`ast`, nothing imported: every ``import`` and ``from ...
import`` of the package counts wherever it is written, inside ``if TYPE_CHECKING:`` and
inside functions too (a cycle a type checker or a late call walks is a cycle still).
An import of a module's own package (``from . import x``, ``from .messages import M``)
is an edge to that package's ``__init__``, and to the submodule when ``x`` is one.

The layers are the top-level modules and packages of dimsekit, in the order of
``LAYERS``; the package docstring and the README draw the same map in words, and the
tests below hold them to it.

An import is not the only way into another module's private names: ``x._name``, an
attribute read or written, is checked too (:func:`private_attributes` says the rule).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeAlias

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "dimsekit"

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"_errors"}),
    frozenset({"_codegen", "_diagnostics", "_pickle_names"}),
    frozenset({"_model"}),
    frozenset({"messages"}),
    frozenset({"_codec"}),
    frozenset({"_framing"}),
    frozenset({"_association"}),
    frozenset({"aio"}),
    frozenset({"cli", "interop", "testing"}),
    frozenset({"", "__main__"}),
)
"""The layers, lowest first: a top-level module or package of dimsekit (``""`` is the
facade, ``dimsekit/__init__.py``) may import its own modules and those of the layers
before its own, never one of its own tier or a later one."""


def module_name(path: Path, root: Path) -> str:
    """``root/dimsekit/a/b.py`` -> ``dimsekit.a.b``; a package is named by its folder."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


Modules: TypeAlias = Mapping[str, tuple[bool, ast.Module]]
"""Dotted name -> (whether it is a package's ``__init__``, its parsed source)."""


def modules_of(package: Path) -> Modules:
    """Every module of the package at ``package``."""
    return {
        module_name(path, package.parent): (
            path.name == "__init__.py",
            ast.parse(path.read_text(encoding="utf-8"), str(path)),
        )
        for path in sorted(package.rglob("*.py"))
    }


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` names, made absolute."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(modules: Modules, top: str) -> Iterator[tuple[str, str, str | None]]:
    """(importer, imported module, name or None) for every import inside package ``top``.

    ``from a import b`` gives (m, a, b), and (m, a.b, None) too when ``a.b`` is a module.
    """
    for module, (is_package, tree) in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == top or alias.name.startswith(top + "."):
                        yield module, alias.name, None
            elif isinstance(node, ast.ImportFrom):
                target = _absolute(module, is_package, node)
                if target != top and not target.startswith(top + "."):
                    continue
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    if submodule in modules:
                        yield module, submodule, None
                    else:
                        yield module, target, alias.name


def import_graph(modules: Modules, top: str) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (itself excluded)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for importer, imported, _ in imports_of(modules, top):
        if imported != importer and imported in modules:
            graph[importer].add(imported)
    return graph


def strongly_connected(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The parts of ``graph`` in which every module reaches every other (Tarjan), sorted;
    only those of two modules or more, which are the ones with a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    parts: list[list[str]] = []

    def visit(node: str) -> None:  # recursion as deep as the package has modules
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part: list[str] = []
            while not part or part[-1] != node:
                part.append(stack.pop())
            parts.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(part for part in parts if len(part) > 1)


def shortest_cycle(graph: Mapping[str, set[str]], start: str) -> list[str] | None:
    """A shortest cycle from ``start`` back to it, as the modules in import order with
    ``start`` at both ends; None if there is none."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier and start not in previous:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node]):
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    if start not in previous:
        return None
    path = [start]
    while len(path) == 1 or path[-1] != start:
        path.append(previous[path[-1]])
    return path[::-1]


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """A shortest cycle through each module that is on one, each cycle once (starting
    at its least module), sorted."""
    found = set()
    for part in strongly_connected(graph):
        for module in part:
            cycle = shortest_cycle(graph, module)
            assert cycle is not None  # it is in a strongly connected part
            ring = cycle[:-1]
            first = ring.index(min(ring))
            ring = ring[first:] + ring[:first]
            found.add((*ring, ring[0]))
    return [list(cycle) for cycle in sorted(found)]


def private_imports(modules: Modules, top: str) -> set[str]:
    """Every import of another module's underscore name (a dunder is not one)."""
    return {
        f"{importer} imports {imported}.{name}"
        for importer, imported, name in imports_of(modules, top)
        if name is not None
        and name.startswith("_")
        and not name.startswith("__")
        and imported != importer
    }


def foreign_private_imports(modules: Modules, top: str) -> set[str]:
    """Every import of an underscore name or module of another package (``from attr
    import _config``): what such a package may change without notice."""
    found = set()
    for module, (_, tree) in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                private = any(part.startswith("_") and not part.startswith("__") for part in parts)
                if parts[0] != top and private:
                    found.add(f"{module} imports {name}")
    return found


PUBLIC_UNDERSCORE_ATTRIBUTES: frozenset[str] = frozenset(
    {"_asdict", "_field_defaults", "_fields", "_make", "_replace"}  # namedtuple's API
    | {"_generate_next_value_", "_ignore_", "_missing_", "_name_", "_order_", "_value_"}  # enum's
)
"""Underscore attributes that are documented API of the standard library, on any object."""

ALLOWED_PRIVATE_READS: frozenset[str] = frozenset({"sys._getframe"})
"""``name._attr``, as written, that a module may use though it defines no ``_attr``."""


def _bound_names(node: ast.AST) -> Iterator[str]:
    """The names a statement of a class or module body binds (not inside functions)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    yield name.id
        slots = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
        )
        if slots and node.value is not None:
            for item in ast.walk(node.value):
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    yield item.value
    elif isinstance(node, ast.If | ast.Try | ast.With):  # ``if TYPE_CHECKING:`` and the like
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _bound_names(child)


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def class_attributes(node: ast.ClassDef) -> set[str]:
    """What a class defines: the names its body binds (its ``__slots__`` too) and the
    attributes its methods set on ``self`` or ``cls``."""
    names = {name for statement in node.body for name in _bound_names(statement)}
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Attribute)
            and isinstance(inner.ctx, ast.Store)
            and _is_self(inner.value)
        ):
            names.add(inner.attr)
    return names


def _private(attribute: str) -> bool:
    return attribute.startswith("_") and not attribute.startswith("__")


def _classes(modules: Modules) -> dict[tuple[str, str], ast.ClassDef]:
    return {
        (module, node.name): node
        for module, (_, tree) in modules.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }


def _resolve(modules: Modules, module: str, name: str, depth: int = 0) -> tuple[str, str] | None:
    """The (module, class name) of the package that ``name`` in ``module`` is, following
    ``from ... import`` through the modules that re-export it; None if it is not ours."""
    is_package, tree = modules[module]
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return module, name
    for statement in ast.walk(tree):
        if isinstance(statement, ast.ImportFrom) and depth < 8:
            for alias in statement.names:
                if (alias.asname or alias.name) == name:
                    source = _absolute(module, is_package, statement)
                    if source in modules:
                        return _resolve(modules, source, alias.name, depth + 1)
    return None


def _bases(modules: Modules, module: str, node: ast.ClassDef) -> Iterator[tuple[str, str]]:
    """The bases of a class that are classes of the package, as (module, name)."""
    for base in node.bases:
        base = base.value if isinstance(base, ast.Subscript) else base
        found = _resolve(modules, module, base.id) if isinstance(base, ast.Name) else None
        if found is not None:
            yield found


def _inherited(
    modules: Modules,
    classes: Mapping[tuple[str, str], ast.ClassDef],
    keys: Iterable[tuple[str, str]],
) -> set[str]:
    """What classes of the package define, with what their bases of the package define."""
    names: set[str] = set()
    stack = list(keys)
    seen = set(stack)
    while stack:
        module, name = stack.pop()
        node = classes[(module, name)]
        names |= class_attributes(node)
        for found in _bases(modules, module, node):
            if found not in seen:
                seen.add(found)
                stack.append(found)
    return names


def private_attributes(modules: Modules) -> set[str]:
    """Every ``x._name`` (read or written) in a module M that does not define ``_name``.

    M defines a name it binds at module level, a name a class of M binds in its body or
    ``__slots__``, and an attribute a method of M sets on ``self`` or ``cls`` (but for
    one a base class from another module defines).  Inside a class of M, ``self._name``
    and ``cls._name`` may also be what a base class of the package defines (a base's
    protected member, the base followed through imports and re-exports).  Dunder names
    are nobody's private; ``PUBLIC_UNDERSCORE_ATTRIBUTES`` (the standard library's
    documented underscore API) and ``ALLOWED_PRIVATE_READS`` are allowed by name.  Being
    a heuristic on names, it cannot see a private name that M happens to define as well,
    nor ``getattr(x, "_name")``, nor code made from text (``_codegen``).
    """
    classes = _classes(modules)
    found = set()
    for module, (_, tree) in modules.items():
        own = {name for statement in tree.body for name in _bound_names(statement)}
        for (where, _), node in classes.items():
            if where == module:  # less what it sets of a base of another module's
                others = [base for base in _bases(modules, module, node) if base[0] != module]
                own |= class_attributes(node) - _inherited(modules, classes, others)
        for line, text in _foreign(modules, classes, module, tree, own, set()):
            found.add(f"{module}:{line} uses {text}")
    return found


def _foreign(
    modules: Modules,
    classes: Mapping[tuple[str, str], ast.ClassDef],
    module: str,
    node: ast.AST,
    own: set[str],
    inherited: set[str],
) -> Iterator[tuple[int, str]]:
    """(line, text) of every private attribute below ``node`` that ``module`` does not
    define (``own``), nor the class it is in (``inherited``, for ``self`` and ``cls``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            mine = _inherited(modules, classes, [(module, child.name)])
            yield from _foreign(modules, classes, module, child, own, mine)
            continue
        if isinstance(child, ast.Attribute) and _private(child.attr):
            allowed = own | (inherited if _is_self(child.value) else set())
            text = ast.unparse(child)
            if not (
                child.attr in allowed
                or child.attr in PUBLIC_UNDERSCORE_ATTRIBUTES
                or text in ALLOWED_PRIVATE_READS
            ):
                yield child.lineno, text
        yield from _foreign(modules, classes, module, child, own, inherited)


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph(modules_of(PACKAGE), "dimsekit")
    parts = strongly_connected(graph)
    found = cycles(graph)
    assert not parts, "".join(
        f"{len(part)} modules in one cycle: {', '.join(part)}\n" for part in parts
    ) + "".join(f"{' -> '.join(cycle)}\n" for cycle in found)


def reachable(graph: Mapping[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        for nxt in graph[stack.pop()] - seen:
            seen.add(nxt)
            stack.append(nxt)
    return seen


def test_the_errors_import_nothing_of_ours() -> None:
    graph = import_graph(modules_of(PACKAGE), "dimsekit")
    assert graph["dimsekit._errors"] == set()


def test_the_two_halves_of_the_codec_do_not_know_each_other() -> None:
    """As their docstrings say: the decoders never reach the encoder, nor it them; what
    both need of the element form lives in ``wire``."""
    graph = import_graph(modules_of(PACKAGE), "dimsekit")
    encoder = "dimsekit._codec.encode"
    for decoder in ("dimsekit._codec.decode", "dimsekit._codec.fast_decode"):
        assert encoder not in reachable(graph, decoder), decoder
        assert decoder not in reachable(graph, encoder)
    assert "dimsekit._codec.wire" in graph["dimsekit._codec.decode"] & graph[encoder]


def unit_of(module: str, top: str) -> str:
    """The top-level module or package of ``top`` that ``module`` belongs to (``""`` for
    the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def tier_of(unit: str, layers: tuple[frozenset[str], ...]) -> int:
    for tier, units in enumerate(layers):
        if unit in units:
            return tier
    raise AssertionError(f"{unit!r} is in no layer: add it to LAYERS")


def layer_breaches(modules: Modules, top: str, layers: tuple[frozenset[str], ...]) -> set[str]:
    """Every import of a layer not before the importer's own (its own unit excepted), and
    every import of a name or module that is private to another unit: below the unit's
    own name, a part that starts with an underscore."""
    found = set()
    for importer, imported, name in imports_of(modules, top):
        mine, theirs = unit_of(importer, top), unit_of(imported, top)
        if mine == theirs:
            continue
        if tier_of(theirs, layers) >= tier_of(mine, layers):
            found.add(f"{importer} imports {imported}: layer {theirs or top!r} is not below")
        below = imported.split(".")[2:] + ([name] if name else [])
        if any(part.startswith("_") and not part.startswith("__") for part in below):
            shown = f"{imported}.{name}" if name else imported
            found.add(f"{importer} imports {shown}: private to {theirs!r}")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    assert sorted(private_imports(modules_of(PACKAGE), "dimsekit")) == []


def test_each_layer_imports_only_the_layers_below_and_their_public_names() -> None:
    assert sorted(layer_breaches(modules_of(PACKAGE), "dimsekit", LAYERS)) == []


def test_no_module_reaches_another_modules_private_attributes() -> None:
    assert sorted(private_attributes(modules_of(PACKAGE))) == []


def test_no_module_imports_private_parts_of_other_packages() -> None:
    assert foreign_private_imports(modules_of(PACKAGE), "dimsekit") == set()


def _package(tmp_path: Path, files: Mapping[str, str]) -> Modules:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return modules_of(tmp_path / "pkg")


def test_the_checker_sees_a_cycle_closed_under_type_checking(tmp_path: Path) -> None:
    modules = _package(
        tmp_path,
        {
            "__init__.py": "",
            "_errors.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from .sub._receive import Event\n"
            ),
            "sub/__init__.py": "from ._receive import Event\n",
            "sub/_receive.py": "from .._errors import FramingError\nEvent = object\n",
        },
    )
    assert cycles(import_graph(modules, "pkg")) == [
        ["pkg._errors", "pkg.sub._receive", "pkg._errors"]
    ]


def test_the_checker_sees_late_imports_and_package_edges(tmp_path: Path) -> None:
    modules = _package(
        tmp_path,
        {
            "__init__.py": "from ._a import A\n",
            "_a.py": "A = 1\ndef f():\n    from . import _b\n",
            "_b.py": "import pkg\nfrom os import path\n",
        },
    )
    graph = import_graph(modules, "pkg")
    assert graph == {"pkg": {"pkg._a"}, "pkg._a": {"pkg._b"}, "pkg._b": {"pkg"}}
    assert cycles(graph) == [["pkg", "pkg._a", "pkg._b", "pkg"]]


def test_the_checker_names_private_imports(tmp_path: Path) -> None:
    modules = _package(
        tmp_path,
        {
            "__init__.py": "from . import _codec\nfrom ._codec import __all__, PUBLIC\n",
            "_codec.py": "from ._wire import _HEADER, LAYOUT\nPUBLIC = 1\n__all__ = []\n",
            "_wire.py": "_HEADER = LAYOUT = 0\n",
        },
    )
    assert private_imports(modules, "pkg") == {"pkg._codec imports pkg._wire._HEADER"}
    assert foreign_private_imports(modules, "pkg") == set()
    assert cycles(import_graph(modules, "pkg")) == []


def test_the_checker_names_private_attributes_of_other_modules(tmp_path: Path) -> None:
    modules = _package(
        tmp_path,
        {
            "__init__.py": "",
            "_model.py": (
                "class Payload:\n"
                "    __slots__ = ('_value',)\n"
                "    _KIND = 1\n"
                "    def _received(cls): ...\n"
                "    def read(self):\n        return self._value, self._KIND\n"
                "def held(p):\n    return p._value\n"
                "class Walker:\n"
                "    def __init__(self):\n        self._offset = 0\n"
                "    def _fail(self): ...\n"
            ),
            "_base.py": "from ._model import Walker as Walker\n",
            "_send.py": (
                "import sys\n"
                "from . import _model\n"
                "from ._model import Payload\n"
                "def send(p):\n"
                "    sys._getframe(); p._replace(); p.__dict__\n"
                "    return p._value, Payload._received(), _model._hidden\n"
            ),
            "_receive.py": (
                "from ._base import Walker\n"
                "class Assembler(Walker):\n"
                "    def feed(self, other):\n"
                "        self._fail(); self._offset += 1; self._mine = 2\n"
                "        return self._mine, other._offset, self._absent\n"
                "def elsewhere(self):\n    return self._offset\n"
            ),
        },
    )
    assert private_attributes(modules) == {
        "pkg._send:6 uses p._value",
        "pkg._send:6 uses Payload._received",
        "pkg._send:6 uses _model._hidden",
        "pkg._receive:5 uses other._offset",
        "pkg._receive:5 uses self._absent",
        "pkg._receive:7 uses self._offset",
    }


def test_the_checker_names_private_parts_of_other_packages(tmp_path: Path) -> None:
    modules = _package(
        tmp_path,
        {
            "__init__.py": "import attr._make, os.path\nfrom attr import _config, __version__\n",
            "_a.py": "from attrs import validators\nfrom . import _b\nfrom typing import _T\n",
            "_b.py": "",
        },
    )
    assert foreign_private_imports(modules, "pkg") == {
        "pkg imports attr._make",
        "pkg imports attr._config",
        "pkg._a imports typing._T",
    }


def test_the_checker_names_layer_breaches(tmp_path: Path) -> None:
    modules = _package(
        tmp_path,
        {
            "__init__.py": "from .high import H\n",
            "low/__init__.py": "",
            "low/_inner.py": "from ..high import H\n",
            "low/values.py": "from ._inner import X\nfrom . import _inner\n",
            "high/__init__.py": "from ..low.values import V\nfrom ..low._inner import X\n",
            "high/_own.py": "from ._mine import _PRIVATE_OF_MY_OWN_UNIT\n",
            "high/_mine.py": "",
        },
    )
    layers = (frozenset({"low"}), frozenset({"high"}), frozenset({""}))
    assert layer_breaches(modules, "pkg", layers) == {
        "pkg.low._inner imports pkg.high: layer 'high' is not below",
        "pkg.high imports pkg.low._inner.X: private to 'low'",
    }
    with pytest.raises(AssertionError, match="'high' is in no layer"):
        layer_breaches(modules, "pkg", (frozenset({"low"}), frozenset({"other"})))


@pytest.mark.parametrize(
    ("path", "name"),
    [("pkg/__init__.py", "pkg"), ("pkg/a/__init__.py", "pkg.a"), ("pkg/a/_b.py", "pkg.a._b")],
)
def test_module_names(tmp_path: Path, path: str, name: str) -> None:
    assert module_name(tmp_path / path, tmp_path) == name


def named_units(text: str, units: frozenset[str]) -> list[str]:
    """The units of ``units`` that ``text`` names as code (```_model``` or
    ```_model/```), in the order they are first named."""
    found: list[str] = []
    for word in re.findall(r"``?([A-Za-z_]+)/?``?", text):
        if word in units and word not in found:
            found.append(word)
    return found


def layer_map_units() -> tuple[frozenset[str], list[str]]:
    """Every unit of ``LAYERS`` but the facade and ``__main__``, and them in layer order
    (the order within a layer is free)."""
    units = frozenset().union(*LAYERS) - {"", "__main__"}
    return units, [unit for layer in LAYERS for unit in sorted(layer) if unit in units]


def in_layer_order(found: list[str]) -> bool:
    tiers = [next(i for i, layer in enumerate(LAYERS) if unit in layer) for unit in found]
    return tiers == sorted(tiers)


def test_the_facade_docstring_draws_the_checked_layer_map() -> None:
    units, _ = layer_map_units()
    docstring = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text()))
    assert docstring is not None
    the_map = docstring.split("The layers", 1)[1].split("\n\n", 2)[1]
    found = named_units(the_map, units)
    assert set(found) == units and in_layer_order(found), found


def test_the_readme_draws_the_checked_layer_map() -> None:
    units, _ = layer_map_units()
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `"))
    found = named_units(table, units)
    assert set(found) == units and in_layer_order(found), found


def test_the_layer_map_check_sees_a_unit_out_of_order() -> None:
    units, ordered = layer_map_units()
    assert named_units(" ".join(f"`{u}`" for u in ordered), units) == ordered
    assert in_layer_order(ordered)
    assert not in_layer_order(list(reversed(ordered)))
