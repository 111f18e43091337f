"""Stack files are read as the Pulumi CLI reads them (yaml.v3), and what it would refuse is refused here."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from stack_config import stackfile
from stack_config.stackfile import MAX_BYTES, StackFileError, parse_text, read


class _PurePython(yaml.SafeLoader):
    yaml_implicit_resolvers = stackfile._Loader.yaml_implicit_resolvers  # pyright: ignore[reportPrivateUsage]


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Either parser the reader may be built on (libyaml where PyYAML's binding is built, as here):
    the same documents read and are refused alike."""
    if request.param == "pure-python":
        monkeypatch.setattr(stackfile, "_Loader", _PurePython)
    return request.param


def test_the_reader_is_libyamls_as_the_clis_yaml_v3_is_a_port_of_it() -> None:
    assert yaml.__with_libyaml__ and issubclass(stackfile._Loader, yaml.CSafeLoader)  # pyright: ignore[reportPrivateUsage]

ACCEPTED = [
    pytest.param("startDate: 2026-11-01", {"startDate": "2026-11-01"}, id="unquoted-date-stays-text"),
    pytest.param("version: 2024-11-20", {"version": "2024-11-20"}, id="unquoted-version-stays-text"),
    pytest.param("at: 2026-11-01T10:00:00Z", {"at": "2026-11-01T10:00:00Z"}, id="timestamp-stays-text"),
    pytest.param("scheduleTime: 02:00", {"scheduleTime": "02:00"}, id="clock-time-is-not-sexagesimal"),
    pytest.param("enabled: yes", {"enabled": "yes"}, id="yes-is-text-as-in-yaml-1.2"),
    pytest.param("enabled: true", {"enabled": True}, id="true-is-boolean"),
    pytest.param("mode: 0755", {"mode": "0755"}, id="leading-zero-is-text"),
    pytest.param("amount: 1_000", {"amount": 1000}, id="underscored-int"),
    pytest.param("capacity: 0x10", {"capacity": 16}, id="hex-int"),
    pytest.param("cpu: 0.5", {"cpu": 0.5}, id="float"),
    pytest.param("a: &x [1]\nb: *x", {"a": [1], "b": [1]}, id="small-alias"),
    pytest.param("base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2", {"base": {"x": 1}, "merged": {"x": 1, "y": 2}},
                 id="merge-key"),
    pytest.param("", {}, id="empty-file"),
    pytest.param("\ufeffconfig: {}", {"config": {}}, id="byte-order-mark"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_as_the_cli_reads_it(parser: str, text: str, expected: dict) -> None:
    assert parse_text(text.lstrip("\ufeff"), "Pulumi.dev.yaml") == expected


def _bomb(levels: int) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines)


REFUSED = [
    pytest.param("a: 1\na: 2", "key 'a' is defined twice in the top level", id="duplicate-top-level-key"),
    pytest.param("config:\n  ai-platform:budget:\n    amount: 1\n    amount: 2",
                 "key 'amount' is defined twice in config.ai-platform:budget", id="duplicate-nested-key"),
    pytest.param("config:\n  x:\n    - {a: 1, a: 2}", "defined twice in config.x[0]", id="duplicate-key-in-list-item"),
    pytest.param("config:\n  x: .inf", "config.x is .inf", id="infinity"),
    pytest.param("config:\n  x: -.Inf", "config.x is -.Inf", id="negative-infinity"),
    pytest.param("config:\n  x: [.nan]", "config.x[0] is .nan", id="nan-in-list"),
    pytest.param("config:\n  x: 1e400", "config.x is 1e400", id="float-overflowing-to-infinity"),
    pytest.param("config:\n  1: a", "has key '1'", id="integer-key"),
    pytest.param("config:\n  ? [a]\n  : b", "is not a string", id="sequence-key"),
    pytest.param("- a\n- b", "the top level is a list", id="top-level-list"),
    pytest.param("just text", "the top level is a str", id="top-level-scalar"),
    pytest.param("a: [", "not valid YAML", id="malformed"),
    pytest.param("a: !!python/object/apply:os.system [echo]", "not valid YAML", id="python-tag"),
    pytest.param(_bomb(9), "expands to more than", id="alias-expansion-bomb"),
    pytest.param("a: " + "[" * 2000 + "]" * 2000, "nests", id="deep-nesting"),
    pytest.param("a: \ud800", "not valid YAML", id="lone-surrogate"),
    pytest.param("a: \x00", "not valid YAML", id="control-character"),
]


@pytest.mark.parametrize(("text", "fragment"), REFUSED)
def test_refused_with_the_place_and_the_fix(parser: str, text: str, fragment: str) -> None:
    with pytest.raises(StackFileError) as info:
        parse_text(text, "Pulumi.dev.yaml")
    assert fragment in str(info.value)
    assert str(info.value).startswith("Pulumi.dev.yaml: ")


def test_alias_bomb_is_refused_in_bounded_time() -> None:
    started = time.process_time()
    with pytest.raises(StackFileError):
        parse_text(_bomb(12), "Pulumi.dev.yaml")
    # A billion-laughs document of 12 levels would be 10^12 values if expanded.
    assert time.process_time() - started < 5


@pytest.mark.parametrize(("content", "fragment"), [
    pytest.param(b"config:\n  a: \xff\xfe\n", "byte 13 is not UTF-8", id="latin-1-bytes"),
    pytest.param(b"config: {}\n" + b"#" * MAX_BYTES, "larger than", id="oversized"),
])
def test_file_level_problems(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes(content)
    with pytest.raises(StackFileError, match=fragment):
        read(path)


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match="is a directory"):
        read(tmp_path)
    with pytest.raises(StackFileError, match="cannot be read"):
        read(tmp_path / "Pulumi.nope.yaml")


def test_utf8_with_bom_and_unicode_values(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes("\ufeffconfig:\n  ai-platform:tags:\n    owner: équipe-ia\n".encode())
    assert read(path) == {"config": {"ai-platform:tags": {"owner": "équipe-ia"}}}


DEV_TEXT = (Path(__file__).resolve().parents[2] / "Pulumi.dev.yaml").read_text()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=len(DEV_TEXT)),
                          st.sampled_from(["", ":", "- ", "\n", "  ", "&a ", "*a", "[", "{", "'", '"', "!!", "?",
                                           ".inf", "<<: ", "\t", "\ufffe", "\x00", "2026-11-01", "#"])),
                min_size=1, max_size=4))
def test_any_edit_of_a_stack_file_reads_or_is_refused(edits: list[tuple[int, str]]) -> None:
    text = DEV_TEXT
    for at, insert in edits:
        text = text[:at] + insert + text[at + 1:]
    try:
        data = parse_text(text, "Pulumi.dev.yaml")
    except StackFileError as exc:
        assert str(exc).startswith("Pulumi.dev.yaml: ")
    else:
        assert isinstance(data, dict)
