"""The dry-run hands the SDK's servicer its requests decoded once (`WireResource`); what the policies
report must be exactly what they report from the protobuf messages the CLI sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from dryrun import policy_driver
from dryrun.model import Resource
from dryrun.policy_driver import Pack
from dryrun.readers import read
from tests import fresh

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(__file__).parent / "fixtures" / "cli"


@pytest.fixture(scope="module")
def pack() -> Pack:
    pack = Pack(ROOT / "policies")
    pack.configure(None, stack="legacy", project="ai-platform")
    return pack


def _struct(inputs: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(inputs)
    return s


def _options(r: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    timeouts = analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
        **{k: policy_driver._seconds(v) for k, v in r.custom_timeouts.items()})
    return analyzer_pb2.AnalyzerResourceOptions(protect=r.protect, parent=r.parent or "", customTimeouts=timeouts)


def _over_protobuf(pack: Pack, resources: list[Resource]) -> list[tuple[str, str, str, str]]:
    """The servicer exactly as the CLI drives it: one protobuf message per call, nothing cached."""
    found = []
    for r in resources:
        response = pack.servicer.Analyze(analyzer_pb2.AnalyzeRequest(
            type=r.type, properties=_struct(r.inputs), urn=r.urn, name=r.name, options=_options(r)), None)
        found += [(d.policyName, d.urn or r.urn, d.message, str(d.enforcementLevel)) for d in response.diagnostics]
    stack = pack.servicer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[
        analyzer_pb2.AnalyzerResource(
            type=r.type, properties=_struct(r.inputs), urn=r.urn, name=r.name, options=_options(r),
            parent=r.parent or "", dependencies=r.dependencies,
            propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                                  for k, v in r.property_dependencies.items()})
        for r in resources]), None)
    found += [(d.policyName, d.urn, d.message, str(d.enforcementLevel)) for d in stack.diagnostics]
    return sorted(found)


def _fast(pack: Pack, resources: list[Resource]) -> list[tuple[str, str, str, str]]:
    return sorted((v.policy, v.urn, v.message, str(policy_driver._LEVEL_TO_PROTO[v.level]))
                  for v in pack.analyze(resources))


@pytest.mark.parametrize("fixture", ["export-v3.json", "export-v3-show-secrets.json", "preview-show-sames.json"])
def test_decoded_once_reports_what_the_protobuf_path_reports(pack: Pack, fixture: str) -> None:
    resources = read(CLI / fixture).resources
    assert _fast(pack, resources) == _over_protobuf(pack, resources)


_SPLIT = """
import sys
from pathlib import Path
from dryrun import policy_driver
from dryrun.policy_driver import Pack
from dryrun.readers import read
pack = Pack(Path("policies").resolve())
pack.configure(None, stack="legacy", project="ai-platform")
resources = read(sys.argv[1]).resources
def run():
    found = [(v.policy, v.urn, v.message, v.level) for v in pack.analyze(resources)]
    return found, [(s.policy, s.urn, s.reason) for s in pack.suppressed]
whole = run()
assert policy_driver._can_fork()
policy_driver._PARALLEL_FROM = 2
print("same" if run() == whole and whole[0] else "different")
"""


def test_a_stack_split_across_processes_reports_what_one_process_reports() -> None:
    # In a fresh process: a test worker runs threads, and the driver forks only a single-threaded process.
    result = fresh.run(_SPLIT, str(CLI / "export-v3.json"))
    assert result.stdout.strip() == "same", result.stderr


def test_wire_numbers_are_doubles_as_on_the_protobuf_wire() -> None:
    decoded = policy_driver.WireProperties({"n": 3, "b": True, "l": [1, None, "x"], "o": {"f": 1.5}}).decoded
    assert decoded == {"n": 3.0, "b": True, "l": [1.0, None, "x"], "o": {"f": 1.5}}
    assert type(decoded["n"]) is float and decoded["b"] is True


_AFTER_A_PROGRAM = """
import os, sys, threading
from pathlib import Path
from dryrun import policy_driver, program
from dryrun.collector import collect_cycles_less_often
collect_cycles_less_often()  # as the command runs: no collection to close what a run leaves
root = Path(sys.argv[1])
result = program.run(root, "stack")
descriptors = len(os.listdir("/dev/fd"))
for _ in range(10):  # later runs get a working executor again, and leave nothing open
    result = program.run(root, "stack")
print(len(result.resources), threading.active_count(), policy_driver._can_fork(),
      len(os.listdir("/dev/fd")) - descriptors)
"""


def test_a_program_run_leaves_one_thread_and_no_descriptor_so_its_policies_can_fork(tmp_path: Path) -> None:
    # The SDK's monitor calls run on executor threads, each with an event loop; a fork with the
    # threads alive would be unsafe, and a test process makes dozens of runs.
    (tmp_path / "Pulumi.yaml").write_text("name: project\nruntime: python\n")
    (tmp_path / "Pulumi.stack.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\n"
        "class Thing(pulumi.CustomResource):\n"
        "    def __init__(self, name):\n"
        "        super().__init__('test:index:Thing', name, {'size': 1})\n"
        "for i in range(20):\n"
        "    Thing(f'thing-{i}')\n")
    result = fresh.run(_AFTER_A_PROGRAM, str(tmp_path))
    assert result.stdout.split() == ["21", "1", "True", "0"], result.stderr


_CRASHES = """
import sys
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from dryrun import policy_driver
from dryrun.model import Resource
from dryrun.policy_driver import Pack, PolicyCrash

def resource_check(args, report):
    if args.name == "r-3":
        raise KeyError("resource")

def stack_check(args, report):
    raise ValueError("stack")

pack = Pack.from_policies([ResourceValidationPolicy(name="crashes-on-r-3", description="d", validate=resource_check),
                           StackValidationPolicy(name="crashes-on-the-stack", description="d", validate=stack_check)],
                          EnforcementLevel.MANDATORY)
resources = [Resource(urn=f"urn:pulumi:s::p::test:index:T::r-{i}", type="test:index:T", name=f"r-{i}", inputs={},
                      parent=None, dependencies=[], property_dependencies={}, custom=True, protect=False,
                      custom_timeouts={}) for i in range(8)]
seen = []
for parallel_from in (10**9, 2):
    policy_driver._PARALLEL_FROM = parallel_from
    for stack_policies in (True, False):
        try:
            pack.analyze(resources, stack_policies=stack_policies)
        except PolicyCrash as exc:
            seen.append(str(exc))
print(len(seen), seen[0] == seen[2] and seen[1] == seen[3], "r-3" in seen[0] and "r-3" in seen[1])
"""


def test_a_forked_evaluation_reports_the_crash_a_serial_one_meets_first() -> None:
    # In a fresh process (only a single-threaded one forks): a resource policy's crash comes before
    # a stack policy's, and one in the first half of the resources before one in the second.
    result = fresh.run(_CRASHES)
    assert result.stdout.split() == ["4", "True", "True"], result.stderr
