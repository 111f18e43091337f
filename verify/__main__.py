"""Post-deployment verification: are a stack's public endpoints (gateways, Traffic Manager, the web
frontend) healthy, and do its private names resolve to private addresses?

    pulumi stack output --json --stack prod | python -m verify --outputs -
    python -m verify --outputs prod-outputs.json --ca-file corporate-ca.pem
    python -m verify --outputs prod-outputs.json --resolve-private     # on a runner inside the VNet

Exit codes: 0 every check passed, 1 a check failed, 2 unusable outputs or arguments, 3 an internal
error (a bug: one line saying where to report it).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import re
import ssl
import sys
from dataclasses import dataclass
from typing import Any

from dryrun import arguments
from dryrun.readers import load_text
from dryrun.stackfile import UsageError

from .checks import FRONTEND_PATH, Result, Retry, check_health, check_private_dns, tls_context

# The stack outputs this command reads (`pulumi stack output --json`); __main__.py exports them.
TRAFFIC_MANAGER_FQDN = "trafficManagerFqdn"  # string, absent when the stack has no Traffic Manager
GATEWAYS = "gateways"  # object: region -> the WAF gateway's public FQDN or IP address
HOST_NAME = "hostName"  # string, optional: the public name the gateway certificate is issued for
PRIVATE_HOST_NAMES = "privateHostNames"  # array, optional: private endpoint FQDNs for --resolve-private
FRONTEND_HOST = "frontendHost"  # string, optional: the web frontend's public name (Front Door)

EPILOG = f"""\
stack outputs read:
  {TRAFFIC_MANAGER_FQDN:<18} string, optional: the Traffic Manager profile's FQDN (checked when present)
  {GATEWAYS:<18} object, required: region -> the WAF gateway's public FQDN or IP address
  {HOST_NAME:<18} string, optional: the public host name the gateways' certificate is issued for;
                     every probe connects to its target but sends and verifies this name (SNI,
                     certificate, Host), as a client of the public name would
  {PRIVATE_HOST_NAMES:<18} array, optional: private endpoint FQDNs (OpenAI, Key Vault, Redis, ...)
  {FRONTEND_HOST:<18} string, optional: the web frontend's public host name (its custom domain, else
                     the Front Door endpoint); probed on {FRONTEND_PATH} with its own name, not --path

private endpoint DNS (--resolve-private):
  Private endpoints only resolve to their private address inside a VNet linked to the privatelink.*
  zones, so run this on a runner attached to the VNet (a self-hosted runner in a peered subnet, or
  GitHub's Azure private networking) using the VNet's DNS (168.63.129.16). From anywhere else
  the names resolve to public addresses (their public access is disabled) and the check fails,
  as it should. Each name must resolve, and only to RFC 1918 addresses (10/8, 172.16/12, 192.168/16).
  With no names after the flag, the '{PRIVATE_HOST_NAMES}' output is used.

exit codes: 0 every check passed, 1 a check failed, 2 unusable outputs or arguments, 3 internal error
"""


class OutputsError(Exception):
    """Stack outputs this command cannot use; the message names the key and the fix."""


@dataclass(frozen=True)
class Endpoints:
    traffic_manager: str | None
    gateways: dict[str, str]
    host_name: str | None
    private_host_names: list[str]
    frontend: str | None = None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify", description=__doc__, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--outputs", required=True, metavar="FILE|-",
                   help="`pulumi stack output --json` output: a file, or - for standard input")
    p.add_argument("--path", default="/health", help="health path probed on every endpoint (default: /health)")
    p.add_argument("--port", type=int, default=443, help="HTTPS port (default: 443)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per attempt (default: 10)")
    p.add_argument("--attempts", type=int, default=3, help="tries per check, at most (default: 3)")
    p.add_argument("--retry-delay", type=float, default=5.0, help="seconds between tries (default: 5)")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--ca-file", help="trust this CA bundle (PEM) instead of the system store")
    tls.add_argument("--insecure", action="store_true",
                     help="do not verify certificates (tests only: a probe that trusts anything proves little)")
    p.add_argument("--resolve-private", nargs="*", metavar="NAME",
                   help=f"also check that NAMEs (default: the '{PRIVATE_HOST_NAMES}' output) resolve to "
                        "RFC 1918 addresses; run inside the VNet")
    return p


def _string(outputs: dict[str, Any], key: str) -> str | None:
    value = outputs.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise OutputsError(f"output '{key}' must be a non-empty string, got {value!r}")
    return value


def parse_outputs(text: str) -> Endpoints:
    try:
        outputs = json.loads(text)
    except RecursionError:
        raise OutputsError("outputs are nested too deeply; pass `pulumi stack output --json`") from None
    except json.JSONDecodeError as exc:
        raise OutputsError(f"outputs are not JSON ({exc}); pass `pulumi stack output --json`") from None
    if not isinstance(outputs, dict):
        raise OutputsError("outputs must be a JSON object; pass `pulumi stack output --json`")
    gateways = outputs.get(GATEWAYS)
    if not isinstance(gateways, dict) or not gateways or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in gateways.items()):
        raise OutputsError(f"output '{GATEWAYS}' must map each region to its gateway's FQDN or IP, got "
                           f"{gateways!r}; export it from __main__.py, e.g. "
                           f"pulumi.export('{GATEWAYS}', {{region: public_ip.ip_address}})")
    private = outputs.get(PRIVATE_HOST_NAMES, [])
    if not isinstance(private, list) or not all(isinstance(n, str) and n for n in private):
        raise OutputsError(f"output '{PRIVATE_HOST_NAMES}' must be a list of host names, got {private!r}")
    endpoints = Endpoints(_string(outputs, TRAFFIC_MANAGER_FQDN), dict(gateways), _string(outputs, HOST_NAME), private,
                          _string(outputs, FRONTEND_HOST))
    named = [(TRAFFIC_MANAGER_FQDN, endpoints.traffic_manager), (HOST_NAME, endpoints.host_name),
             (FRONTEND_HOST, endpoints.frontend),
             *((f"{GATEWAYS}.{region}", address) for region, address in endpoints.gateways.items()),
             *((f"{PRIVATE_HOST_NAMES}[{i}]", name) for i, name in enumerate(private))]
    for key, value in named:
        if value is not None and not valid_host(value):
            raise OutputsError(f"output '{key}' is not a host name or IP address: {value[:80]!r}")
    return endpoints


# RFC 1123 host names: labels of 1-63 letters, digits and hyphens, not starting or ending with a hyphen.
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def valid_host(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        pass
    name = value.removesuffix(".")
    return 0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in name.split("."))


def _context(args: argparse.Namespace) -> ssl.SSLContext:
    """The TLS context, built before any probe: a CA file that is missing or holds no certificate is a usage error."""
    if args.ca_file is not None:
        load_text(args.ca_file, "--ca-file")  # missing, a directory, unreadable or not text: one line
    try:
        return tls_context(insecure=args.insecure, ca_file=args.ca_file)
    except (OSError, ssl.SSLError, ValueError):
        raise UsageError(f"--ca-file {args.ca_file}: holds no PEM certificate; give a CA bundle in PEM form") from None


def run(args: argparse.Namespace, endpoints: Endpoints, context: ssl.SSLContext) -> list[Result]:
    retry = Retry(attempts=args.attempts, delay=args.retry_delay)
    probes = ([("traffic manager", endpoints.traffic_manager)] if endpoints.traffic_manager else []) + [
        (f"gateway {region}", address) for region, address in sorted(endpoints.gateways.items())]
    results = [
        check_health(check, address, server_name=endpoints.host_name or address, path=args.path, port=args.port,
                     context=context, timeout=args.timeout, retry=retry)
        for check, address in probes
    ]
    if endpoints.frontend:
        results.append(check_health("frontend", endpoints.frontend, server_name=endpoints.frontend,
                                    path=FRONTEND_PATH, port=args.port, context=context, timeout=args.timeout,
                                    retry=retry))
    if args.resolve_private is not None:
        names = args.resolve_private or endpoints.private_host_names
        results += [check_private_dns(name, retry=retry) for name in names]
    return results


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except SystemExit as exc:
        return arguments.exit_code(exc)
    except (OutputsError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return arguments.USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return arguments.internal_error("python -m verify", exc)


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.attempts < 1 or not 0 < args.timeout < math.inf or not 0 <= args.retry_delay < math.inf:
        parser.error("--attempts must be >= 1, --timeout > 0 and --retry-delay >= 0 (finite numbers of seconds)")
    if not args.path.startswith("/") or any(c.isspace() or ord(c) < 32 for c in args.path):
        parser.error("--path must start with '/' and hold no spaces or control characters")
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")
    # Everything the run needs is checked before the first probe.
    arguments.plain_paths({"--outputs": args.outputs, "--ca-file": args.ca_file})
    endpoints = parse_outputs(load_text(args.outputs, "--outputs"))
    context = _context(args)
    for name in args.resolve_private or []:
        if not valid_host(name):
            raise OutputsError(f"--resolve-private: {name[:80]!r} is not a host name")
    if args.resolve_private is not None and not (args.resolve_private or endpoints.private_host_names):
        raise OutputsError(f"--resolve-private: no names given and no '{PRIVATE_HOST_NAMES}' output; "
                           "name the private endpoint FQDNs to check")
    results = run(args, endpoints, context)
    for result in results:
        print(result.line())
    failed = [r for r in results if not r.ok]
    print(f"result: {len(failed)} of {len(results)} failed" if failed else f"result: all {len(results)} passed")
    return arguments.FINDING if failed else arguments.OK


if __name__ == "__main__":
    sys.exit(main())
