"""The gateway's certificate source must give the gateway a certificate it can load.

Application Gateway reads a Key Vault secret holding a base64, password-less PKCS#12 (PFX) file
(learn.microsoft.com/azure/application-gateway/key-vault-certs); the stack writes that secret itself
(components/gateway_certificate.py). With `source: pfx` the PFX must be set, decode, load without a
password, not be expired, and cover appGateway.hostName, or the listener would fail or serve a
certificate browsers reject.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

from .problems import Problem

PATH = "appGateway.certificate.pfxBase64"
SET = f"`pulumi config set --secret --path '{PATH}' \"$(base64 -w0 cert.pfx)\"`"


def _covers(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.split(".", 1)[-1] == pattern[2:] and "." in host
    return pattern == host


def check(p: Mapping[str, Any], today: date) -> Iterator[Problem]:
    gateway = p.get("app_gateway")
    if gateway is None:
        return
    cert = gateway.certificate
    if cert.source == "selfSigned":
        if cert.pfx_base64:
            yield ("appGateway.certificate.source", "is 'selfSigned' but pfxBase64 is set; set source: pfx to use "
                   "that certificate")
        return
    if not cert.pfx_base64:
        yield (PATH, f"is required with source 'pfx' (the gateway cannot be created without its certificate); set it "
               f"with {SET}, or use source: selfSigned to bootstrap")
        return
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        raw = base64.b64decode(cert.pfx_base64.get_secret_value(), validate=True)
    except (binascii.Error, ValueError):
        yield (PATH, f"is not base64; set it with {SET}")
        return
    try:
        key, leaf, _ = pkcs12.load_key_and_certificates(raw, None)
    except ValueError:
        yield (PATH, "is not a password-less PFX (Application Gateway reads Key Vault PFX secrets without a "
               "password); re-export it with `openssl pkcs12 -export -passout pass: ...` and set it again")
        return
    if key is None or leaf is None:
        yield (PATH, "holds no private key and certificate; export the PFX with both")
        return
    if leaf.not_valid_after_utc < datetime.combine(today, datetime.min.time(), UTC):
        yield (PATH, f"expired on {leaf.not_valid_after_utc.date().isoformat()}; set a current certificate")
    host = gateway.host_name
    if host:
        try:
            names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
                x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        if not any(_covers(n.lower(), host) for n in names):
            yield (PATH, f"is a certificate for {', '.join(names) or 'no DNS name'}, not appGateway.hostName "
                   f"'{host}'; set a certificate issued for {host}")
