"""CrossGuard entry point: `pulumi preview --policy-pack policies` runs this file."""

import sys
from pathlib import Path

from pulumi_policy import PolicyPack

# The CLI runs a pack from its own directory; the rules import as the `policies` package, the same
# way the dry-run and tests import them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.pack import ENFORCEMENT_LEVEL, NAME, POLICIES

PolicyPack(name=NAME, policies=POLICIES, enforcement_level=ENFORCEMENT_LEVEL)
