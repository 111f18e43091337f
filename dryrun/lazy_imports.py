"""Load only the pulumi_azure_native resource modules a program touches.

Each service package's generated `__init__` star-imports every module of the service (about 290
for `network`), so `network.ApplicationGateway` costs the whole service. This finder gives
`pulumi_azure_native.<service>` a package module whose names resolve on first access from the
package's own layout: the `__init__`'s `from .<module> import *` lines, in order, and each
module's literal `__all__`. The layout is read once per installed version and cached under
.cache/. A name the layout does not list (or a star import of the package) runs the real
`__init__` in the package, so the result is the eager package's.

The modules inside a service are compiled as if they began with `from __future__ import
annotations` (PEP 563): the 407 modules the prod program loads carry 53,286 annotations, each a
few subscriptions deep (`pulumi.Input[Optional[Sequence[...]]]` on every argument and getter),
and evaluating them is a fifth to a third of the import time. The SDK reads them only through
`typing.get_type_hints` with the defining module's globals (pulumi/_types.py, the same path that
serves programs written with that future import), which evaluates the strings to the same objects
for the classes a program uses. One thing differs: a `...ArgsDict` TypedDict cannot see
`NotRequired` in a string on Python 3.11, so its `__required_keys__` / `__optional_keys__` count
every key as required; only pulumi/provider/experimental reads those, never a program's run.
The compiled code is cached beside the layouts (the dry-run's own cache, so it is written whatever
PYTHONDONTWRITEBYTECODE says about the interpreter's `__pycache__`).

Installed by the dry-run only (dryrun/program.py): `pulumi up` imports the packages eagerly, as
generated. The mechanism needs nothing from the dry-run, but the program must not depend on it.
"""

from __future__ import annotations
import __future__

import ast
import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import marshal
import os
import re
import sys
import tempfile
import types
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = "pulumi_azure_native"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "lazy-imports"
_ALL = re.compile(r"^__all__ = \[([^\]]*)\][ \t]*$", re.MULTILINE)
_ALL_BODY = re.compile(r"\s*(?:(['\"])[A-Za-z_][A-Za-z0-9_]*\1\s*,\s*)*(?:(['\"])[A-Za-z_][A-Za-z0-9_]*\2\s*)?")
_NAME = re.compile(r"['\"]([A-Za-z_][A-Za-z0-9_]*)['\"]")
_FORMAT = 1  # bump when the cached layout's shape changes
_DEFERRED = __future__.annotations.compiler_flag


class Layout:
    """What a service package's `__init__` binds: `eager` import statements to run as they are
    (the `_utilities` and `typing` bindings), and `names`: attribute -> the submodule defining it
    ('' for the submodule itself)."""

    def __init__(self, eager: str, names: dict[str, list[str]]) -> None:
        self.eager = eager
        self.names = names


def read_layout(init: Path) -> Layout | None:
    """The package's layout, or None when its `__init__` does anything but imports of the
    generated forms, or a module lacks a literal `__all__` (then the package loads eagerly)."""
    tree = ast.parse(init.read_text())
    eager: list[ast.stmt] = []
    names: dict[str, list[str]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 1 and stmt.module and \
                [a.name for a in stmt.names] == ["*"]:
            exported = _exports(init.parent / f"{stmt.module}.py")
            if exported is None:
                return None
            # The import binds the submodule on the package, then its names; later lines win.
            names[stmt.module] = [stmt.module, ""]
            for name in exported:
                names[name] = [stmt.module, name]
        elif isinstance(stmt, ast.ImportFrom) and stmt.level == 1 and stmt.module is None and \
                all(a.asname is None for a in stmt.names):
            for alias in stmt.names:
                if not (init.parent / f"{alias.name}.py").is_file():
                    return None
                names[alias.name] = [alias.name, ""]
        elif isinstance(stmt, ast.Import | ast.ImportFrom) and (
                stmt.level == 2 if isinstance(stmt, ast.ImportFrom) else True):
            bound = {(a.asname or a.name).split(".")[0] for a in stmt.names}
            if bound & names.keys():
                return None  # an eager binding a lazy one would have to override
            eager.append(stmt)
        else:
            return None
    return Layout(ast.unparse(ast.Module(body=eager, type_ignores=[])), names)


def _exports(module: Path) -> list[str] | None:
    if not module.is_file():
        return None
    text = module.read_text()
    found = _ALL.search(text)
    # One literal assignment and no other mention (no `+=`, no `.extend`), or we cannot know.
    if found is None or text.count("__all__") != 1 or not _ALL_BODY.fullmatch(found.group(1)):
        return None
    return _NAME.findall(found.group(1))


@functools.cache
def _sdk_version() -> str:
    # Once per process: each lookup scans the environment's dist-info (about 0.7 ms, 300 modules).
    return metadata.version(PACKAGE.replace("_", "-"))


def _cached_layout(service: str, init: Path) -> Layout | None:
    stat = init.stat()
    key = {"format": _FORMAT, "version": _sdk_version(), "init": str(init),
           "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    path = CACHE / key["version"] / f"{service}.json"
    try:
        saved = json.loads(path.read_text())
        if saved["key"] == key:
            return None if saved["layout"] is None else Layout(**saved["layout"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    layout = read_layout(init)
    _write_whole(path, json.dumps({"key": key, "layout": None if layout is None else vars(layout)}).encode())
    return layout


def _write_whole(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: parallel test workers read it while another writes it.
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    except OSError:
        pass  # a read-only checkout still works, it only does the work again next time


class DeferredAnnotationsLoader(importlib.machinery.SourceFileLoader):
    """Loads a generated module with its annotations left unevaluated (PEP 563)."""

    def cache_path(self) -> Path:
        return CACHE / _sdk_version() / "code" / sys.implementation.cache_tag / \
            f"{self.name}.bin"

    def get_code(self, fullname: str) -> types.CodeType:
        stat = Path(self.path).stat()
        # The interpreter's bytecode magic, its optimisation level and the source's identity: a
        # Python upgrade, `-O`, an SDK reinstall, an edited file or another environment with the
        # same files (uv hard-links them, mtimes and all) compiles again, so code objects always
        # name the file they were loaded from.
        header = importlib.util.MAGIC_NUMBER + bytes([sys.flags.optimize]) + \
            stat.st_mtime_ns.to_bytes(8, "little") + stat.st_size.to_bytes(8, "little") + \
            os.fsencode(self.path) + b"\0"
        cached = self.cache_path()
        try:
            data = cached.read_bytes()
            if data.startswith(header):
                return marshal.loads(data[len(header):])
        except (OSError, ValueError, EOFError, TypeError):
            pass  # missing or damaged: compile again
        code = compile(self.get_data(self.path), self.path, "exec", flags=_DEFERRED, dont_inherit=True,
                       optimize=sys.flags.optimize)
        _write_whole(cached, header + marshal.dumps(code))
        return code


# Lazy package -> the submodule names its generated __init__ rebinds to something else (a function
# module's own function: `from .get_vault import *` binds the module `get_vault`, then the function).
_SHADOWED: dict[str, frozenset[str]] = {}


class _LazyPackage(types.ModuleType):
    """A lazy package's module type. Importing a submodule binds it on the package; where the eager
    package's star import then rebinds that name (`get_vault` the function, not the module), the
    binding is dropped, so the name resolves to what the eager package holds."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _SHADOWED.get(self.__name__, ()) and \
                value.__name__ == f"{self.__name__}.{name}":
            return
        super().__setattr__(name, value)


class _Loader(importlib.abc.Loader):
    def __init__(self, stock: importlib.machinery.SourceFileLoader, service: str) -> None:
        self.stock = stock
        self.service = service

    def __getattr__(self, name: str) -> Any:
        # get_source, is_package, get_resource_reader...: the file's, as the stock loader answers.
        return getattr(self.stock, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        stock = self.stock
        # Read here, not in find_spec: the root package looks up the spec of every service.
        layout = _cached_layout(self.service, Path(stock.path))
        if layout is None:
            stock.exec_module(module)
            return
        namespace = module.__dict__
        names = layout.names
        exec(compile(layout.eager, stock.path, "exec"), namespace)
        submodules = {where[0] for where in names.values()}
        _SHADOWED[module.__name__] = frozenset(n for n in submodules if names.get(n, [n, ""])[1])
        module.__class__ = _LazyPackage

        def full_init() -> None:
            # The generated __init__ itself; submodules already loaded are reused.
            namespace.pop("__getattr__", None)
            namespace.pop("__dir__", None)
            stock.exec_module(module)

        def __getattr__(name: str) -> Any:
            where = names.get(name)
            if where is None:
                # The layout is every name the generated __init__ binds (read_layout refuses an
                # __init__ it cannot read whole), so another name is one it would not have either:
                # no need to load the service to say so (pytest asks each module for `pytestmark`).
                if name != "__all__":
                    raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
                full_init()
                if name in namespace:
                    return namespace[name]
                raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
            submodule = importlib.import_module(f"{module.__name__}.{where[0]}")
            value = getattr(submodule, where[1]) if where[1] else submodule
            namespace[name] = value
            return value

        def __dir__() -> list[str]:
            return sorted({*namespace, *names})

        namespace["__getattr__"] = __getattr__
        namespace["__dir__"] = __dir__


class LazyServiceFinder(importlib.abc.MetaPathFinder):
    """Finds `pulumi_azure_native.<service>` packages, to load them with a lazy namespace, and the
    modules inside them, to load them with deferred annotations (unless `defer_annotations` is
    off: the benchmark and the tests compare)."""

    def __init__(self, defer_annotations: bool = True) -> None:
        self.defer_annotations = defer_annotations

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None,
                  ) -> importlib.machinery.ModuleSpec | None:
        parts = fullname.split(".")
        if len(parts) < 2 or parts[0] != PACKAGE or parts[1].startswith("_") or \
                (len(parts) > 2 and not self.defer_annotations):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        if len(parts) == 2:
            if not spec.submodule_search_locations:
                return None
            spec.loader = _Loader(spec.loader, parts[1])
        elif not spec.submodule_search_locations:
            spec.loader = loader = DeferredAnnotationsLoader(fullname, spec.origin)
            spec.cached = str(loader.cache_path())  # __cached__: this file, not the interpreter's pyc
        return spec


def install(*, defer_annotations: bool = True) -> None:
    """Put the finder first on sys.meta_path (once: a second call changes nothing). Packages
    already imported stay as they are, and so does every service once `pulumi_azure_native` itself
    is imported (it looks up every service's spec on import): install before the program's first
    azure-native import."""
    if not any(isinstance(f, LazyServiceFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, LazyServiceFinder(defer_annotations))
