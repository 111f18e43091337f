"""A container app must target (and probe) the port its image listens on, on a path it answers.

Ingress and both probes go to targetPort / probePort and probePath; a port the image does not serve, or
a path it answers with 404, keeps every revision unready until the ARM operation expires, and everything
that needs the entrypoint's FQDN (gateways, alerts) is never created. Known images, their ports and
the paths they answer are in data/container_images.json, each with its source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from .problems import Problem

DATA = Path(__file__).parent / "data" / "container_images.json"
IMAGES: dict[str, dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["images"]


def repository(image: str) -> str:
    """The image reference without its tag or digest."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name[: len(name) - len(last)] + last.split(":", 1)[0]


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    apps = p.get("container_apps")
    if apps is None:
        return
    for i, svc in enumerate(apps.services):
        known = IMAGES.get(repository(svc.image))
        if known is None:
            continue
        port = known["port"]
        for field, value in (("targetPort", svc.target_port), ("probePort", svc.health_port)):
            if value != port:
                yield (f"containerApps.services[{i}].{field}", f"{value} is not the port '{svc.image}' listens on "
                       f"({port}, {known['source']}); set {field}: {port}")
                break
        paths = known.get("paths")
        if paths is not None and svc.probe_path not in paths:
            yield (f"containerApps.services[{i}].probePath",
                   f"'{svc.image}' is not known to answer {svc.probe_path} (it serves {', '.join(paths)}: "
                   f"{known['pathsSource']}); set probePath to one of them, or use an image that serves this path")
