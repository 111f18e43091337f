"""`python -m verify` against a real HTTPS server on loopback, with certificates made here (no network)."""

from __future__ import annotations

import datetime
import io
import ipaddress
import json
import socket
import ssl
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests import fresh
from verify.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
HOST = "verify.test"  # the public name the test certificate is issued for, as a gateway's would be


@dataclass(frozen=True)
class Pki:
    ca_file: Path
    cert_file: Path
    key_file: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA and a server certificate for verify.test and 127.0.0.1 signed by it."""
    directory = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("verify test CA")).issuer_name(_name("verify test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(_name(HOST)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pki = Pki(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    pki.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return pki


HITS: Counter[str] = Counter()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        HITS[self.path] += 1
        status = {"/health": 200, "/": 200, "/broken": 503}.get(self.path, 404)
        body = b"ok" if status == 200 else b"no"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        HITS[f"host:{self.headers['Host']}"] += 1

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


@pytest.fixture(scope="module")
def port(pki: Pki) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1: /health and / answer 200, /broken 503, anything else 404."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert_file, pki.key_file)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _fresh_hits() -> None:
    HITS.clear()


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], outputs: Any, *args: str) -> tuple[int, str, str]:
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(outputs))
    code = main(["--outputs", str(outputs_file), "--timeout", "5", "--attempts", "3", "--retry-delay", "0", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stack(**extra: Any) -> dict[str, Any]:
    return {"trafficManagerFqdn": "127.0.0.1", "gateways": {"westus3": "127.0.0.1", "eastus2": "127.0.0.1"},
            "hostName": HOST, **extra}


def test_healthy_stack_passes_with_the_certificate_verified_for_the_public_name(tmp_path, capsys, pki, port):
    code, out, _ = run(tmp_path, capsys, stack(), "--port", str(port), "--ca-file", str(pki.ca_file))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("PASS  traffic manager")
    assert lines[1].startswith("PASS  gateway eastus2") and lines[2].startswith("PASS  gateway westus3")
    assert f"https://{HOST}:{port}/health via 127.0.0.1  HTTP 200 in" in lines[0]
    assert lines[-1] == "result: all 3 passed"
    # The public name went out as the Host header, as a browser behind Traffic Manager would send it.
    assert HITS["/health"] == 3 and HITS[f"host:{HOST}:{port}"] == 3


def test_certificates_are_verified_by_default(tmp_path, capsys, port):
    code, out, _ = run(tmp_path, capsys, stack(), "--port", str(port))
    assert code == 1
    assert out.count("TLS certificate rejected: unable to get local issuer certificate") == 3
    assert "after" not in out  # a rejected certificate is final: no retry
    assert HITS["/health"] == 0
    assert out.splitlines()[-1] == "result: 3 of 3 failed"


def test_a_certificate_for_another_name_is_rejected(tmp_path, capsys, pki, port):
    code, out, _ = run(tmp_path, capsys, stack(hostName="other.test"), "--port", str(port),
                       "--ca-file", str(pki.ca_file))
    assert code == 1
    assert "Hostname mismatch" in out and "other.test" in out


def test_insecure_skips_verification_and_probes_the_address_itself(tmp_path, capsys, port):
    outputs = {"gateways": {"eastus2": "127.0.0.1"}}
    code, out, _ = run(tmp_path, capsys, outputs, "--port", str(port), "--insecure")
    assert code == 0, out
    assert f"PASS  gateway eastus2      https://127.0.0.1:{port}/health  HTTP 200" in out
    assert "traffic manager" not in out  # no Traffic Manager output (dev): nothing to probe


def test_an_unhealthy_endpoint_is_retried_a_bounded_number_of_times(tmp_path, capsys, pki, port):
    outputs = {"gateways": {"eastus2": "127.0.0.1"}, "hostName": HOST}
    code, out, _ = run(tmp_path, capsys, outputs, "--port", str(port), "--ca-file", str(pki.ca_file),
                       "--path", "/broken")
    assert code == 1
    assert "FAIL  gateway eastus2" in out and "HTTP 503, expected 200 (after 3 attempts)" in out
    assert HITS["/broken"] == 3


def test_a_wrong_path_is_not_retried(tmp_path, capsys, pki, port):
    outputs = {"gateways": {"eastus2": "127.0.0.1"}, "hostName": HOST}
    code, out, _ = run(tmp_path, capsys, outputs, "--port", str(port), "--ca-file", str(pki.ca_file),
                       "--path", "/missing")
    assert code == 1
    assert "HTTP 404, expected 200" in out and "after" not in out
    assert HITS["/missing"] == 1


def test_one_failing_gateway_fails_the_run_and_is_named(tmp_path, capsys, pki, port):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free_port = closed.getsockname()[1]
    # The same host on a port nobody listens on stands in for a region whose gateway is down.
    code, out, _ = run(tmp_path, capsys, {"gateways": {"eastus2": "127.0.0.1"}}, "--port", str(free_port),
                       "--insecure", "--attempts", "2")
    assert code == 1
    assert "FAIL  gateway eastus2" in out and "connection refused (after 2 attempts)" in out


def test_an_endpoint_that_never_answers_times_out(tmp_path, capsys):
    with socket.socket() as silent:  # accepts TCP (backlog) but never speaks TLS
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        code, out, _ = run(tmp_path, capsys, {"gateways": {"eastus2": "127.0.0.1"}},
                           "--port", str(silent.getsockname()[1]), "--insecure", "--timeout", "0.3",
                           "--attempts", "1")
    assert code == 1
    assert "no answer within 0.3 s (after 1 attempt)" in out


def test_outputs_are_read_from_standard_input(capsys, monkeypatch, pki, port):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(stack())))
    code = main(["--outputs", "-", "--port", str(port), "--ca-file", str(pki.ca_file), "--retry-delay", "0"])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == "result: all 3 passed"


@pytest.mark.parametrize(("outputs", "message"), [
    ({"trafficManagerFqdn": "tm.trafficmanager.net"}, "output 'gateways' must map each region"),
    ({"gateways": {}}, "output 'gateways' must map each region"),
    ({"gateways": {"eastus2": 42}}, "output 'gateways' must map each region"),
    ({"gateways": {"eastus2": "x"}, "hostName": ""}, "output 'hostName' must be a non-empty string"),
    ({"gateways": {"eastus2": "x"}, "privateHostNames": "a.vault.azure.net"}, "must be a list of host names"),
    (["not", "an", "object"], "outputs must be a JSON object"),
])
def test_unusable_outputs_are_a_usage_error(tmp_path, capsys, outputs, message):
    code, out, err = run(tmp_path, capsys, outputs)
    assert code == 2
    assert message in err and out == ""


def test_outputs_that_are_not_json_or_missing_are_a_usage_error(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("Current stack outputs (2):")
    assert main(["--outputs", str(tmp_path / "bad.json")]) == 2
    assert "outputs are not JSON" in capsys.readouterr().err
    assert main(["--outputs", str(tmp_path / "absent.json")]) == 2
    assert "--outputs" in (err := capsys.readouterr().err) and "cannot read: No such file" in err


def test_private_names_must_resolve_to_rfc1918_addresses(tmp_path, capsys, port):
    # Address literals resolve without a DNS query: one private, one public answer.
    code, out, _ = run(tmp_path, capsys, {"gateways": {"eastus2": "127.0.0.1"}}, "--port", str(port),
                       "--insecure", "--resolve-private", "10.20.1.4", "20.50.1.2")
    assert code == 1
    assert "PASS  private dns          10.20.1.4  -> 10.20.1.4 (private)" in out
    assert "FAIL  private dns          20.50.1.2  -> 20.50.1.2: 20.50.1.2 is not RFC 1918" in out
    assert out.splitlines()[-1] == "result: 1 of 3 failed"


def test_resolve_private_defaults_to_the_private_host_names_output(tmp_path, capsys, monkeypatch, port):
    real = socket.getaddrinfo
    answers = {"kv.vault.azure.net": "10.100.1.7", "oai.openai.azure.com": "172.16.4.4"}

    def resolve(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host == "gone.redis.azure.net":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    outputs = {"gateways": {"eastus2": "127.0.0.1"}, "privateHostNames": [*answers, "gone.redis.azure.net"]}
    code, out, _ = run(tmp_path, capsys, outputs, "--port", str(port), "--insecure", "--attempts", "2",
                       "--resolve-private")
    assert code == 1
    assert "PASS  private dns          kv.vault.azure.net  -> 10.100.1.7 (private)" in out
    assert "PASS  private dns          oai.openai.azure.com  -> 172.16.4.4 (private)" in out
    assert "FAIL  private dns          gone.redis.azure.net  does not resolve (Name or service not known) " \
           "(after 2 attempts)" in out


def test_resolve_private_needs_names(tmp_path, capsys):
    code, _, err = run(tmp_path, capsys, {"gateways": {"eastus2": "127.0.0.1"}}, "--resolve-private")
    assert code == 2
    assert "no names given and no 'privateHostNames' output" in err


def test_the_command_documents_its_outputs_and_exits_non_zero_on_failure(tmp_path, pki, port):
    help_run = fresh.run_module("verify", "--help", timeout=60)
    assert help_run.returncode == 0, help_run.stderr
    for needle in ("trafficManagerFqdn", "gateways", "hostName", "privateHostNames", "--resolve-private",
                   "RFC 1918", "168.63.129.16", "--ca-file", "--insecure", "exit codes"):
        assert needle in help_run.stdout, needle
    outputs = json.dumps({"gateways": {"eastus2": "127.0.0.1"}, "hostName": HOST})
    command = ["--outputs", "-", "--port", str(port), "--ca-file", str(pki.ca_file), "--retry-delay", "0"]
    passing = fresh.run_module("verify", *command, stdin=outputs, timeout=60)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    failing = fresh.run_module("verify", *command, "--path", "/missing", stdin=outputs, timeout=60)
    assert failing.returncode == 1 and "FAIL  gateway eastus2" in failing.stdout


def test_the_frontend_is_probed_on_its_root_with_its_own_name(tmp_path, capsys, pki, port):
    code, out, _ = run(tmp_path, capsys, stack(frontendHost="127.0.0.1"), "--port", str(port),
                       "--ca-file", str(pki.ca_file))
    assert code == 0, out
    (line,) = [line for line in out.splitlines() if "frontend" in line]
    assert line.startswith("PASS  frontend") and f"https://127.0.0.1:{port}/  HTTP 200" in line
    # Its own name went out as the Host header, not the gateways' certificate name.
    assert HITS["/"] == 1 and HITS[f"host:127.0.0.1:{port}"] == 1
    assert out.splitlines()[-1] == "result: all 4 passed"


def test_an_unreachable_frontend_fails_the_run_and_is_named(tmp_path, capsys, pki, port):
    # '.invalid' never resolves (RFC 6761): the gateways pass, the frontend fails.
    code, out, _ = run(tmp_path, capsys, stack(frontendHost="www.frontend.invalid"), "--port", str(port),
                       "--ca-file", str(pki.ca_file))
    assert code == 1
    (line,) = [line for line in out.splitlines() if "frontend" in line]
    assert line.startswith("FAIL  frontend") and "does not resolve" in line
    assert out.splitlines()[-1] == "result: 1 of 4 failed"


def test_an_empty_frontend_host_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(tmp_path, capsys, stack(frontendHost=""))
    assert code == 2 and "output 'frontendHost' must be a non-empty string" in err
