import sys
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Time is the benchmark's measure, not a test's: on two shared cores an example's duration says
# nothing, so no example fails on a deadline. Example counts stay as each test sets them; a
# `--hypothesis-profile` on the command line still wins.
settings.register_profile("ai-platform", deadline=None)
settings.load_profile("ai-platform")

# The collector thresholds the dry-run command runs with (dryrun/program.py): a test worker holds
# the same long-lived SDK modules, and runs the same programs.
from dryrun.program import collect_cycles_less_often  # noqa: E402 - needs the root on sys.path

collect_cycles_less_often()
