"""The dry-run's lazy azure-native service packages (dryrun/lazy_imports.py) resolve every name to
the object the generated eager package binds, and load nothing else."""

from __future__ import annotations

import importlib
import json
import os
from importlib import metadata, util
from pathlib import Path

import pytest

from dryrun import lazy_imports
from tests import fresh

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(util.find_spec("pulumi_azure_native").origin).parent  # type: ignore[union-attr]
# The largest service, two whose names collide across modules (later star imports win), and
# small ones the program uses.
SERVICES = ["network", "storage", "cognitiveservices", "keyvault", "monitor"]


def _lazy_session(code: str, defer_annotations: bool = True) -> dict:
    """Run `code` in a fresh process (tests/fresh.py) with the finder installed; it prints one JSON line."""
    prelude = ("import json, sys\nfrom dryrun import lazy_imports\n"
               f"lazy_imports.install(defer_annotations={defer_annotations})\n")
    result = fresh.run(prelude + code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_resource_class_loads_its_module_not_the_service() -> None:
    seen = _lazy_session(
        "import pulumi_azure_native.network as network\n"
        "cls = network.ApplicationGateway\n"
        "loaded = [m for m in sys.modules if m.startswith('pulumi_azure_native.network.')]\n"
        "print(json.dumps({'cls': cls.__module__ + '.' + cls.__qualname__, 'loaded': loaded}))\n")
    assert seen["cls"] == "pulumi_azure_native.network.application_gateway.ApplicationGateway"
    assert "pulumi_azure_native.network.bastion_host" not in seen["loaded"]
    # The class's own imports (_enums, _inputs, outputs) and nothing more than a handful.
    assert len(seen["loaded"]) < 10


def test_an_unknown_name_is_absent_without_loading_the_service() -> None:
    seen = _lazy_session(
        "import pulumi_azure_native.network as network\n"
        "missing = hasattr(network, 'NoSuchThing'), hasattr(network, 'pytestmark')\n"
        "loaded = [m for m in sys.modules if m.startswith('pulumi_azure_native.network.')]\n"
        "print(json.dumps({'missing': missing, 'loaded': loaded}))\n")
    assert seen == {"missing": [False, False], "loaded": []}


_SHADOWED = (
    "import pulumi_azure_native.authorization as authorization\n"
    "import pulumi_azure_native.keyvault as keyvault\n"
    "authorization.get_client_config_output  # loads the module named like the function\n"
    "keyvault.GetVaultResult\n"
    "print(json.dumps([type(authorization.get_client_config).__name__, type(keyvault.get_vault).__name__,\n"
    "                  type(authorization.get_client_config_output).__name__]))\n")


def test_a_function_named_like_its_module_is_the_function_as_in_the_eager_package() -> None:
    stock = fresh.run("import json\n" + _SHADOWED)
    assert stock.returncode == 0, stock.stderr
    eager = json.loads(stock.stdout)
    assert _lazy_session(_SHADOWED) == eager == ["function", "function", "function"]


def test_a_star_import_or_all_runs_the_generated_init() -> None:
    seen = _lazy_session(
        "import pulumi_azure_native.network as network\n"
        "hasattr(network, '__all__')  # what `from network import *` reads first\n"
        "full = 'pulumi_azure_native.network.bastion_host' in sys.modules\n"
        "ns = {}\n"
        "exec('from pulumi_azure_native.storage import *', ns)\n"
        "print(json.dumps({'full': full, 'star': 'StorageAccount' in ns, 'dir': 'BastionHost' in dir(network)}))\n")
    assert seen == {"full": True, "star": True, "dir": True}


@pytest.mark.parametrize("service", SERVICES)
def test_every_name_resolves_to_the_eager_packages_object(service: str) -> None:
    layout = lazy_imports.read_layout(PACKAGE_DIR / service / "__init__.py")
    assert layout is not None
    package = importlib.import_module(f"pulumi_azure_native.{service}")
    getattr(package, "__all__", None)  # a lazy package runs the generated __init__ here
    eager = {k: v for k, v in vars(package).items() if not k.startswith("__")}
    eager_only = {"_builtins", "_utilities", "typing"}  # bound by the import lines run as they are
    assert set(layout.names) == eager.keys() - eager_only
    for name, (module, attribute) in layout.names.items():
        defined = importlib.import_module(f"{package.__name__}.{module}")
        assert eager[name] is (getattr(defined, attribute) if attribute else defined), name


def test_a_package_with_other_code_in_its_init_loads_eagerly() -> None:
    # pulumi_azure_native.config swaps its module class; nothing else about it is plain imports.
    assert lazy_imports.read_layout(PACKAGE_DIR / "config" / "__init__.py") is None


@pytest.mark.parametrize("module_text", ["x = 1\n", "__all__ = ['A'] + ['B']\n", "__all__ = ['A']\n__all__ += ['B']\n"],
                         ids=["no __all__", "computed __all__", "extended __all__"])
def test_a_module_without_a_literal_all_keeps_the_package_eager(tmp_path: Path, module_text: str) -> None:
    (tmp_path / "__init__.py").write_text("from .thing import *\n")
    (tmp_path / "thing.py").write_text(module_text)
    assert lazy_imports.read_layout(tmp_path / "__init__.py") is None


def test_the_layout_is_cached_per_installed_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lazy_imports, "CACHE", tmp_path)
    init = PACKAGE_DIR / "keyvault" / "__init__.py"
    first = lazy_imports._cached_layout("keyvault", init)
    [cached] = tmp_path.glob("*/keyvault.json")
    assert cached.parent.name == metadata.version("pulumi-azure-native")
    saved = json.loads(cached.read_text())
    saved["layout"]["names"]["Vault"] = ["vault", "Marker"]
    cached.write_text(json.dumps(saved))
    assert lazy_imports._cached_layout("keyvault", init).names["Vault"] == ["vault", "Marker"]  # type: ignore[union-attr]
    cached.write_text("{not json")
    again = lazy_imports._cached_layout("keyvault", init)
    assert first is not None and again is not None and again.names == first.names


def test_the_package_keeps_its_file_and_source() -> None:
    seen = _lazy_session(
        "import inspect\n"
        "import pulumi_azure_native.keyvault as keyvault\n"
        "loader = keyvault.__spec__.loader\n"
        "print(json.dumps({'file': keyvault.__file__, 'package': loader.is_package(keyvault.__name__),\n"
        "                  'source': 'from .vault import *' in inspect.getsource(keyvault)}))\n")
    assert seen == {"file": str(PACKAGE_DIR / "keyvault" / "__init__.py"), "package": True, "source": True}


# What the SDK reads from a module's annotations: each class's property types, as pulumi/_types.py
# resolves them (get_type_hints with the module's globals), for a resource, its args and every
# input and output type they reach.
_TYPES = '''
import importlib, json, typing
from pulumi import _types

def name(t):
    return repr(t)

def walk(cls, seen):
    if cls in seen or not isinstance(cls, type):
        return
    if _types.is_input_type(cls):
        types = _types.input_type_types(cls)
    elif _types.is_output_type(cls):
        types = _types.output_type_types(cls)
    else:
        types = _types.resource_types(cls)
    seen[cls] = {k: name(v) for k, v in sorted(types.items())}
    for t in types.values():
        for arg in nested(t):
            walk(arg, seen)

def nested(t):
    yield t
    for arg in typing.get_args(t):  # Mapping[str, Sequence[X]] reaches X
        yield from nested(arg)

seen = {}
for path in %r:
    module, _, attribute = path.rpartition(".")
    cls = getattr(importlib.import_module(module), attribute)
    walk(cls, seen)
    walk(getattr(importlib.import_module(module), attribute + "Args"), seen)
print(json.dumps({f"{c.__module__}.{c.__qualname__}": v for c, v in seen.items()}, sort_keys=True))
'''
TYPED = ["pulumi_azure_native.network.ApplicationGateway", "pulumi_azure_native.cognitiveservices.Account",
         "pulumi_azure_native.app.ContainerApp", "pulumi_azure_native.keyvault.Vault",
         "pulumi_azure_native.apimanagement.ApiManagementService"]


def test_deferred_annotations_resolve_to_the_types_the_sdk_reads_eagerly() -> None:
    code = _TYPES % (TYPED,)
    deferred = _lazy_session(code)
    evaluated = _lazy_session(code, defer_annotations=False)
    assert len(evaluated) > 100  # the nested input and output types were reached
    assert deferred == evaluated


_VAULT = (
    "import pulumi_azure_native.keyvault as keyvault\n"
    "import inspect\n"
    "init = inspect.signature(keyvault.VaultArgs.__init__).parameters['resource_group_name'].annotation\n"
    "print(json.dumps({'annotation': init if isinstance(init, str) else repr(init),\n"
    "                  'file': keyvault.vault.__file__, 'cached': keyvault.vault.__cached__}))\n")


def test_modules_in_a_service_load_with_deferred_annotations() -> None:
    seen = _lazy_session(_VAULT)
    assert seen["annotation"] == "pulumi.Input[_builtins.str]"
    assert seen["file"] == str(PACKAGE_DIR / "keyvault" / "vault.py")
    assert Path(seen["cached"]).is_relative_to(lazy_imports.CACHE) and Path(seen["cached"]).is_file()
    stock = _lazy_session(_VAULT, defer_annotations=False)
    # Evaluated at import: pulumi.Input[str] is a Union of str, Awaitable[str] and Output[str].
    assert stock["annotation"].startswith("typing.Union[str, ") and "Awaitable[str]" in stock["annotation"]
    assert Path(stock["cached"]).parent.name == "__pycache__"


def test_compiled_code_is_cached_and_follows_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lazy_imports, "CACHE", tmp_path / "cache")
    source = tmp_path / "thing.py"
    source.write_text("def f(x: Undefined) -> int: ...\n")

    def annotations() -> dict[str, str]:
        namespace: dict[str, object] = {}
        exec(lazy_imports.DeferredAnnotationsLoader("pulumi_azure_native.x.thing", str(source))
             .get_code("pulumi_azure_native.x.thing"), namespace)
        return namespace["f"].__annotations__  # type: ignore[attr-defined]

    # An annotation naming nothing loads: it is not evaluated.
    assert annotations() == {"x": "Undefined", "return": "int"}
    [cached] = (tmp_path / "cache").rglob("pulumi_azure_native.x.thing.bin")
    source.write_text("def f(x: Changed) -> str: ...\n")
    assert annotations() == {"x": "Changed", "return": "str"}
    cached.write_bytes(cached.read_bytes()[:30])  # a damaged file compiles again
    assert annotations() == {"x": "Changed", "return": "str"}
    # The same file in another environment (uv hard-links installs): its own code, naming it.
    elsewhere = tmp_path / "other-venv" / "thing.py"
    elsewhere.parent.mkdir()
    os.link(source, elsewhere)
    code = lazy_imports.DeferredAnnotationsLoader("pulumi_azure_native.x.thing", str(elsewhere)).get_code(
        "pulumi_azure_native.x.thing")
    assert code.co_filename == str(elsewhere)


def test_a_read_only_cache_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setattr(lazy_imports, "CACHE", blocked / "cache")  # under a file: nothing can be written
    source = tmp_path / "thing.py"
    source.write_text("x: Undefined = 1\n")
    code = lazy_imports.DeferredAnnotationsLoader("pulumi_azure_native.x.thing", str(source)).get_code(
        "pulumi_azure_native.x.thing")
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert namespace["__annotations__"] == {"x": "Undefined"}
