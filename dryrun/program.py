"""Run the real Pulumi program under mocks and record what it declares."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import runpy
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

import pulumi
import pulumi.resource as sdk_resource
import pulumi.runtime.resource as sdk_runtime_resource
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.proto import alias_pb2, resource_pb2, source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from . import lazy_imports, stackfile
from .mocks import AzureMocks, RecordingMonitor, configure
from .model import Resource

# The pulumi SDK release whose source the shortcuts below were checked against (uv.lock pins it;
# tests/test_alias_contract.py fails when the two differ). Any other release runs stock code.
SHORTCUTS_PULUMI = "3.272.0"
# The name pulumi.resource imports from pulumi.runtime.resource and Resource.__init__ calls.
ALIAS_HOOK = "collapse_alias_to_urn"
# The function of pulumi.runtime.resource that turns `opts.aliases` into the request's aliases
# (prepare_resource calls it through the module's globals).
PREPARE_HOOK = "prepare_aliases"
# The function of pulumi.runtime.resource that captures a registration's stack trace
# (register_resource and read_resource call it through the module's globals).
STACK_TRACE_HOOK = "_get_stack_trace"


@dataclass
class ProgramResult:
    project: str
    stack: str
    resources: list[Resource]
    outputs: dict[str, Any]
    # The RegisterResource requests as the monitor received them (what `resources` is read from).
    requests: list[resource_pb2.RegisterResourceRequest] = field(default_factory=list)


class ProgramError(Exception):
    """The program stopped with an error (a config problem, or a bug)."""


def run(root: Path, stack: str, *, alias_shortcut: bool = True, stack_trace_shortcut: bool = True,
        lazy_service_imports: bool = True) -> ProgramResult:
    """Run `root/__main__.py` for `stack`. The flags turn off the shortcuts this module takes around
    SDK work (the contract tests and the benchmark compare with and without)."""
    project, config, secret_keys = stackfile.load(root, stack)
    runtime_config.set_all_config(config, secret_keys)
    monitor = RecordingMonitor(AzureMocks())
    configure(stack, project, monitor)
    if lazy_service_imports:
        lazy_imports.install()
    main = root / "__main__.py"
    cwd = os.getcwd()
    sys.path.insert(0, str(root))
    # The SDK sends every monitor call through the loop's default executor; this run's own one is
    # joined at the end, so the process is left with no other thread and the policy evaluation
    # may fork (dryrun/policy_driver.py). Its successor starts threads only when used. The mock
    # monitor gives each thread an event loop of its own (_ensure_event_loop); made here, they are
    # closed with the threads, or each run would leave its loops' descriptors to the collector.
    loop = _ensure_event_loop()  # the loop _sync_await runs
    thread_loops: list[asyncio.AbstractEventLoop] = []
    executor = ThreadPoolExecutor(initializer=lambda: thread_loops.append(_ensure_event_loop()))
    loop.set_default_executor(executor)
    try:
        # The CLI runs the program from the project directory; do the same.
        os.chdir(root)
        with sdk_shortcuts(aliases=alias_shortcut, stack_traces=stack_trace_shortcut):
            _sync_await(run_pulumi_func(lambda: _run_main(main)))
        outputs = _exports()
    except pulumi.RunError as exc:
        raise ProgramError(str(exc)) from None
    finally:
        os.chdir(cwd)
        sys.path.remove(str(root))
        loop.set_default_executor(ThreadPoolExecutor())
        executor.shutdown(wait=True)
        for thread_loop in thread_loops:
            thread_loop.close()
    return ProgramResult(project, stack, monitor.recorded, outputs, monitor.requests)


def _run_main(main: Path) -> None:
    runpy.run_path(str(main), run_name="__main__")


def _exports() -> dict[str, Any]:
    """Resolve `pulumi.export`ed values (unknown ones stay None, as preview shows them)."""
    root_resource = pulumi.runtime.get_root_resource()
    exported = dict(getattr(root_resource, "outputs", {}) or {})
    resolved = _sync_await(pulumi.Output.from_input(exported).future(with_unknowns=False)) or {}
    return {k: resolved[k] for k in sorted(resolved)}


def shortcuts_apply() -> bool:
    """True when the installed SDK is the release the shortcuts were verified against."""
    return _installed_pulumi() == SHORTCUTS_PULUMI


@functools.cache
def _installed_pulumi() -> str:
    # Once per process: a lookup parses the distribution's metadata, and tests declare a thousand times.
    return metadata.version("pulumi")


class _UnreadAlias:
    """Stands in `Resource._aliases` for an alias whose URN form nobody reads (see below). Not a
    str or an Output, so a reader the SDK gains in a later release fails loudly, not silently."""

    __slots__ = ()


_UNREAD = _UnreadAlias()
_PLAIN = (str, type(None), type(...))


def _urn_form_cannot_fail(alias: Any, name: str, type_: str) -> bool:
    """Whether the SDK's URN computation for `alias` is pure string work that cannot raise: a URN
    string, or an `Alias` of plain fields whose name and type resolve to strings. Anything else
    (an Output, an awaitable, a name explicitly None, which the SDK rejects) keeps the stock
    path, so the program fails exactly where and how it would without the shortcut."""
    if isinstance(alias, str):
        return True
    if not isinstance(alias, pulumi.Alias):
        return False
    fields = (alias.name, alias.type_, alias.project, alias.stack)
    if not all(isinstance(f, _PLAIN) for f in fields):
        return False
    parent = alias.parent
    if not (isinstance(parent, (*_PLAIN, pulumi.Resource))):
        return False
    resolved_name = name if alias.name is ... else alias.name
    resolved_type = type_ if alias.type_ is ... else alias.type_
    return resolved_name is not None and resolved_type is not None


def _is_plain(alias: Any) -> bool:
    """An alias that is its own resolved value: `Output.from_input(alias).future()` returns it."""
    return isinstance(alias, str) or type(alias) is pulumi.Alias


async def _prepare_plain_aliases(stock: Any, resource: Any, options: Any, supports_alias_specs: bool) -> Any:
    """`prepare_aliases` for aliases that are URN strings or plain `Alias` objects, sent as specs:
    the same requests without the Output the stock code wraps each alias in only to read it back
    (an Output, a future and its tracking per alias: 14 % of the program's CPU on an 8-region
    stack after the URN shortcut). Anything else (an Output, an awaitable, None, no alias specs)
    runs the stock code."""
    aliases = options.aliases if options is not None else None
    if not supports_alias_specs or not aliases or not all(_is_plain(a) for a in aliases):
        return await stock(resource, options, supports_alias_specs)
    return [alias_pb2.Alias(urn=a) if isinstance(a, str)
            else alias_pb2.Alias(spec=await sdk_runtime_resource.create_alias_spec(a)) for a in aliases]


@contextlib.contextmanager
def sdk_shortcuts(*, aliases: bool = True, stack_traces: bool = True) -> Iterator[None]:
    """The shortcuts this module takes around SDK work, for a program run or any declaration under
    the mocks; each can be turned off (the contract tests and the benchmark compare)."""
    with (skip_unused_alias_urns() if aliases else contextlib.nullcontext(),
          cached_stack_traces() if stack_traces else contextlib.nullcontext()):
        yield


@contextlib.contextmanager
def skip_unused_alias_urns() -> Iterator[None]:
    """Skip the URN form of every alias that `Resource.__init__` computes while the monitor takes
    alias specs, and the Output that resolving a plain alias into its spec takes.

    pulumi 3.272.0 builds `Resource._aliases` eagerly: per alias a chain of Outputs and tasks
    (`collapse_alias_to_urn`). Its only reader is `runtime.resource.all_aliases`, which
    `prepare_aliases` calls only when the monitor lacks RESOURCE_MONITOR_FEATURE_ALIAS_SPECS; with
    the feature, the request carries `aliases` specs built from `opts.aliases` and
    `_aliases` is never read. azure-native attaches one alias per API version (about 4,000 in
    prod), so this was most of the program's CPU. docs/upstream-alias-urns.md is the same change
    for the SDK itself; tests/test_alias_contract.py proves the requests are unchanged.
    """
    if not shortcuts_apply():
        yield
        return
    stock = getattr(sdk_resource, ALIAS_HOOK)

    def collapse(alias: Any, name: str, type_: str, parent: Any) -> Any:
        if runtime_settings.monitor_supports_feature(
                resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS) and _urn_form_cannot_fail(alias, name, type_):
            return _UNREAD
        return stock(alias, name, type_, parent)

    stock_prepare = getattr(sdk_runtime_resource, PREPARE_HOOK)

    async def prepare(resource: Any, options: Any, supports_alias_specs: bool) -> Any:
        return await _prepare_plain_aliases(stock_prepare, resource, options, supports_alias_specs)

    # Resource.__init__ and prepare_resource look the functions up in their modules' globals at each call.
    setattr(sdk_resource, ALIAS_HOOK, collapse)
    setattr(sdk_runtime_resource, PREPARE_HOOK, prepare)
    try:
        yield
    finally:
        setattr(sdk_resource, ALIAS_HOOK, stock)
        setattr(sdk_runtime_resource, PREPARE_HOOK, stock_prepare)


@contextlib.contextmanager
def cached_stack_traces() -> Iterator[None]:
    """Capture each registration's stack trace as pulumi 3.272.0's `_get_stack_trace` does, without
    the work whose result it drops.

    The stock function calls `traceback.extract_stack()`, which reads every frame's source line
    through linecache, and converts every frame's file name with `pathlib.Path(...).as_uri()`: per
    registration, per frame on the stack. The request keeps only each frame's URI and line
    number. This builds the same `StackTrace` from the frames themselves, with one conversion per
    (file, line). Under pytest, about 50 frames deep, the stock function was a quarter of a small
    program's CPU; tests/test_alias_contract.py proves the requests are unchanged.
    """
    if not shortcuts_apply():
        yield
        return
    stock = getattr(sdk_runtime_resource, STACK_TRACE_HOOK)

    def captured() -> source_pb2.StackTrace:
        limit = getattr(sys, "tracebacklimit", None)
        # A limit of 0 or less leaves the stock function an empty stack, which it fails on; a limit
        # that is no int fails in extract_stack: let it fail its own way.
        if limit is not None and (not isinstance(limit, int) or limit <= 0):
            return stock()
        # This frame stands where the stock function's own frame would, the innermost one it lists.
        return _stack_trace(sys._getframe(0), limit)

    setattr(sdk_runtime_resource, STACK_TRACE_HOOK, captured)
    try:
        yield
    finally:
        setattr(sdk_runtime_resource, STACK_TRACE_HOOK, stock)


def _stack_trace(innermost: FrameType, limit: int | None) -> source_pb2.StackTrace:
    """The stock function's result: of the frames `traceback.extract_stack()` lists (the `limit`
    innermost with `sys.tracebacklimit` set), those above the third `__init__` (Resource, then
    CustomResource or ComponentResource, then the concrete class), innermost first; none when the
    third is missing or nothing is listed above it."""
    listed: list[FrameType] = []
    frame: FrameType | None = innermost
    while frame is not None and (limit is None or len(listed) < limit):
        listed.append(frame)
        frame = frame.f_back
    inits = 0
    for index, frame in enumerate(listed):
        if frame.f_code.co_name == "__init__":
            inits += 1
            if inits == 3:
                return source_pb2.StackTrace(frames=[_frame(f.f_code.co_filename, f.f_lineno)
                                                     for f in listed[index + 1:]])
    return source_pb2.StackTrace()


@functools.cache
def _frame(filename: str, line: int | None) -> source_pb2.StackFrame:
    """`rpc_frame` of the stock function: no position for a frame without a file or line, or whose
    file name is not an absolute path (`<string>`, `<frozen runpy>`: `as_uri` raises). The message is
    shared; a `StackTrace` built from it holds a copy."""
    if filename == "" or line is None:
        return source_pb2.StackFrame()
    try:
        uri = Path(filename).as_uri()
    except BaseException:  # as the stock function, which catches everything here
        return source_pb2.StackFrame()
    return source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=uri, line=line))
