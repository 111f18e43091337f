"""The dry-run's lazy azure-native service packages (dryrun/lazy_imports.py) resolve every name to
the object the generated eager package binds, and load nothing else."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from importlib import metadata, util
from pathlib import Path

import pytest

from dryrun import lazy_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(util.find_spec("pulumi_azure_native").origin).parent  # type: ignore[union-attr]
# The largest service, two whose names collide across modules (later star imports win), and
# small ones the program uses.
SERVICES = ["network", "storage", "cognitiveservices", "keyvault", "monitor"]


def _lazy_session(code: str) -> dict:
    """Run `code` in a fresh interpreter with the finder installed; it prints one JSON line."""
    prelude = "import json, sys\nfrom dryrun import lazy_imports\nlazy_imports.install()\n"
    out = subprocess.run([sys.executable, "-c", prelude + code], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


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


def test_a_star_import_or_an_unknown_name_runs_the_generated_init() -> None:
    seen = _lazy_session(
        "import pulumi_azure_native.network as network\n"
        "missing = hasattr(network, 'NoSuchThing')\n"
        "full = 'pulumi_azure_native.network.bastion_host' in sys.modules\n"
        "ns = {}\n"
        "exec('from pulumi_azure_native.storage import *', ns)\n"
        "print(json.dumps({'missing': missing, 'full': full, 'star': 'StorageAccount' in ns,\n"
        "                  'dir': 'BastionHost' in dir(network)}))\n")
    assert seen == {"missing": False, "full": True, "star": True, "dir": True}


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
