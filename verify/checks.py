"""The two kinds of check: an HTTPS health probe (TLS verified, bounded retries) and private DNS resolution."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# RFC 1918: the only answers a private endpoint's name may give inside the VNet.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
# Answers worth another attempt: a gateway scaling out, a backend restarting, a failover under way.
# Anything else (404, 401, a rejected certificate) will not change by waiting.
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
USER_AGENT = "ai-platform-verify/1"
# What the web frontend is probed on: a static site has no health endpoint, and its root document
# is the first thing a visitor loads through Front Door (cache, WAF and origin all take part).
FRONTEND_PATH = "/"

Resolver = Callable[..., list[Any]]


@dataclass(frozen=True)
class Result:
    check: str  # e.g. "traffic manager", "gateway eastus2", "private dns"
    target: str  # what was checked, as a person would type it
    ok: bool
    detail: str
    attempts: int = 1

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'}  {self.check:<20} {self.target}  {self.detail}"


@dataclass(frozen=True)
class Retry:
    """Bounded retries: at most `attempts` tries, `delay` seconds apart."""

    attempts: int = 3
    delay: float = 5.0
    sleep: Callable[[float], None] = time.sleep


def attempts(count: int) -> str:
    return f"{count} attempt{'' if count == 1 else 's'}"


def tls_context(*, insecure: bool = False, ca_file: str | None = None) -> ssl.SSLContext:
    """Certificates verified against the system store (or `ca_file`); `insecure` only for tests."""
    context = ssl.create_default_context(cafile=ca_file)
    # The gateways' SSL policy refuses anything older; a client that accepted it would hide a regression.
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class _Connection(http.client.HTTPSConnection):
    """HTTPS to `address` presenting and verifying `server_name` (SNI, certificate, Host header), like
    `curl --connect-to`: a gateway's certificate names the public host, not its IP address or the
    Traffic Manager name that leads to it."""

    def __init__(self, address: str, port: int, server_name: str, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(address, port, timeout=timeout, context=context)
        self._server_name = server_name
        self._tls = context

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=self._server_name)


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"name does not resolve ({exc.strerror})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed ({exc.reason or exc})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def check_health(
    check: str,
    address: str,
    *,
    server_name: str,
    path: str,
    port: int,
    context: ssl.SSLContext,
    timeout: float,
    retry: Retry,
) -> Result:
    """GET https://<server_name><path> from `address`; passes on HTTP 200 only."""
    authority = server_name if port == 443 else f"{server_name}:{port}"
    target = f"https://{authority}{path}" + ("" if address == server_name else f" via {address}")
    detail = ""
    for attempt in range(1, retry.attempts + 1):
        started = time.monotonic()
        connection = _Connection(address, port, server_name, context, timeout)
        try:
            connection.request("GET", path, headers={"Host": authority, "User-Agent": USER_AGENT})
            status = connection.getresponse().status
        except ssl.SSLCertVerificationError as exc:
            return Result(check, target, False, f"TLS certificate rejected: {exc.verify_message} "
                          "(a private CA? pass --ca-file)", attempt)
        except (OSError, http.client.HTTPException) as exc:
            detail = _describe(exc, timeout)
        else:
            if status == 200:
                return Result(check, target, True, f"HTTP 200 in {time.monotonic() - started:.2f} s", attempt)
            detail = f"HTTP {status}, expected 200"
            if status not in RETRYABLE_STATUS:
                return Result(check, target, False, detail, attempt)
        finally:
            connection.close()
        if attempt < retry.attempts:
            retry.sleep(retry.delay)
    return Result(check, target, False, f"{detail} (after {attempts(retry.attempts)})", retry.attempts)


def _rfc1918(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in PRIVATE_NETWORKS)


def check_private_dns(name: str, *, retry: Retry, resolve: Resolver | None = None) -> Result:
    """`name` resolves, and only to RFC 1918 addresses (its private endpoint), from where this runs."""
    detail = ""
    for attempt in range(1, retry.attempts + 1):
        try:
            answers = (resolve or socket.getaddrinfo)(name, 443, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            detail = f"does not resolve ({exc.strerror})"
        else:
            addresses = sorted({str(info[4][0]) for info in answers})
            public = [a for a in addresses if not _rfc1918(a)]
            if public:
                return Result("private dns", name, False, f"-> {', '.join(addresses)}: {', '.join(public)} is not "
                              "RFC 1918; the private DNS zone is not linked to this VNet, the zone group has no "
                              "record, or this runner does not use the VNet's DNS", attempt)
            return Result("private dns", name, True, f"-> {', '.join(addresses)} (private)", attempt)
        if attempt < retry.attempts:
            retry.sleep(retry.delay)
    return Result("private dns", name, False, f"{detail} (after {attempts(retry.attempts)})", retry.attempts)
