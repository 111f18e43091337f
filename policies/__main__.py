"""CrossGuard entry point: `pulumi preview --policy-pack policies` runs this file."""

import importlib.util
import sys
from pathlib import Path

from pulumi_policy import PolicyPack

_HERE = Path(__file__).resolve().parent


def _load_package() -> None:
    """Make this directory importable as the `policies` package, whatever the directory is called
    (a published pack is unpacked under a versioned path) — the name the dry-run and tests use."""
    loaded = sys.modules.get("policies")
    if loaded is not None and [str(_HERE)] == list(getattr(loaded, "__path__", [])):
        return
    spec = importlib.util.spec_from_file_location(
        "policies", _HERE / "__init__.py", submodule_search_locations=[str(_HERE)])
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["policies"] = package
    spec.loader.exec_module(package)


_load_package()

from policies.pack import ENFORCEMENT_LEVEL, NAME, POLICIES  # noqa: E402

PolicyPack(name=NAME, policies=POLICIES, enforcement_level=ENFORCEMENT_LEVEL)
