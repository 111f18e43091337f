"""Rebuild data/openai_models.json from Microsoft's Azure OpenAI model availability tables.

The tables are the `model-matrix` includes of MicrosoftDocs/azure-ai-docs, rendered on
learn.microsoft.com/azure/ai-foundry/openai/concepts/models ("Model summary table and region
availability"). One file per deployment type:

    git clone --depth 1 --filter=blob:none --sparse https://github.com/MicrosoftDocs/azure-ai-docs
    git -C azure-ai-docs sparse-checkout set articles/ai-foundry/openai/includes/model-matrix
    python -m stack_config.preflight.refresh_openai_models \\
        azure-ai-docs/articles/ai-foundry/openai/includes/model-matrix --commit "$(git -C azure-ai-docs rev-parse HEAD)"

Review the diff (a model that disappears from a region refuses configs that use it there) and commit
it with the new date.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from .openai_models import DATA, SOURCE_PAGE

# Deployment type (the SKU name a deployment sends) -> its availability table.
FILES = {
    "Standard": "standard-models.md",
    "GlobalStandard": "standard-global.md",
    "DataZoneStandard": "datazone-standard.md",
}
_HEADER = re.compile(r"\*\*(?P<model>[^*]+)\*\*,\s*\*\*(?P<version>[^*]+)\*\*")


def parse_table(text: str) -> dict[str, list[str]]:
    """`model@version` -> regions marked available, from one model-matrix markdown table."""
    rows = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    if len(rows) < 3:
        raise ValueError("no markdown table found")
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    columns = []
    for cell in header[1:]:
        match = _HEADER.search(cell)
        if match is None:
            raise ValueError(f"column header {cell!r} is not '**model**, **version**'")
        columns.append(f"{match['model'].strip()}@{match['version'].strip()}")
    available: dict[str, list[str]] = {c: [] for c in columns}
    regions: list[str] = []
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        region, marks = cells[0], cells[1:]
        if len(marks) != len(columns):
            raise ValueError(f"row {region!r} has {len(marks)} cells for {len(columns)} columns")
        regions.append(region)
        for column, mark in zip(columns, marks, strict=True):
            if mark not in ("✅", "-", ""):
                raise ValueError(f"row {region!r}, column {column}: unexpected mark {mark!r}")
            if mark == "✅":
                available[column].append(region)
    return {"_regions": regions, **available}


def build(folder: Path, commit: str, retrieved: str) -> dict[str, object]:
    skus = {sku: parse_table((folder / name).read_text(encoding="utf-8")) for sku, name in FILES.items()}
    return {
        "retrieved": retrieved,
        "source": {"page": SOURCE_PAGE, "repository": "MicrosoftDocs/azure-ai-docs",
                   "files": {sku: {"path": f"articles/ai-foundry/openai/includes/model-matrix/{name}", "commit": commit}
                             for sku, name in FILES.items()}},
        "skus": skus,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="the model-matrix folder of an azure-ai-docs checkout")
    parser.add_argument("--commit", required=True, help="the azure-ai-docs commit the files come from")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    data = build(args.folder, args.commit, datetime.now(UTC).date().isoformat())
    args.out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
