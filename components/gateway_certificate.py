"""The gateway's TLS certificate as a Key Vault secret, written in the same `pulumi up` as the gateway.

Application Gateway reads its listener certificate from Key Vault at PUT time and fails the whole
gateway with `ApplicationGatewayKeyVaultSecretException` when the secret is missing
(learn.microsoft.com/azure/application-gateway/application-gateway-key-vault-common-errors). The
secret it reads may be a plain Key Vault secret holding a base64, password-less PFX with content
type `application/x-pkcs12` (learn.microsoft.com/azure/application-gateway/key-vault-certs; the AKS
baseline writes its gateway certificate the same way, mspnp/aks-baseline). The secret is written
through ARM (`Microsoft.KeyVault/vaults/secrets`), a control-plane call that the vault's firewall
and disabled public access do not block, so no runner inside the VNet is needed.

Sources (`appGateway.certificate.source`):
- `selfSigned`: a bootstrap certificate for the gateway's host name, generated when the secret is
  first created and kept afterwards (`ignore_changes` on the value: later runs generate a fresh one
  that is never sent). Browsers do not trust it; it exists so the first deployment completes.
- `pfx`: the real certificate from the secret config value `appGateway.certificate.pfxBase64`.
  Switching from `selfSigned` to `pfx` (or rotating the PFX) writes a new version of the same
  secret; the gateway references the secret without a version and picks the new one up on its
  own (it polls Key Vault every four hours) while it keeps serving the old one, so there is no
  downtime (docs/operations.md, "Replace the bootstrap certificate").
"""

from __future__ import annotations

import base64
import functools
from datetime import UTC, datetime, timedelta

import pulumi
import pulumi_azure_native.keyvault as keyvault
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from stack_config.model import GatewayCertificate

from .common import Common

PFX_CONTENT_TYPE = "application/x-pkcs12"
# Long enough that the bootstrap never expires under a gateway nobody has got round to finishing.
BOOTSTRAP_VALIDITY = timedelta(days=365)


class GatewayCertificateError(pulumi.RunError):
    """A certificate source that cannot give the gateway a certificate."""


def self_signed_pfx(host_name: str, now: datetime | None = None) -> str:
    """A base64, password-less PFX with a fresh RSA-2048 key, self-signed for `host_name`."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_name[:64])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + BOOTSTRAP_VALIDITY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host_name)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pfx = pkcs12.serialize_key_and_certificates(b"gateway-bootstrap", key, cert, None, NoEncryption())
    return base64.b64encode(pfx).decode()


@functools.cache
def _bootstrap_pfx(host_name: str) -> str:
    # One RSA key generation per host name and run: the regions of a stack share the host name, and
    # the value is only ever sent when the secret is first created.
    return self_signed_pfx(host_name)


@functools.cache
def _not_after(pfx_base64: str) -> int:
    """The certificate's own end of validity, in Unix seconds: the secret expires with it
    (key-vault-secret-expiry), never earlier, so the gateway can read it as long as it is valid.
    Once per PFX and run: loading one checks its RSA key (0.1 s), and every region's gateway has
    the same certificate."""
    _, leaf, _ = pkcs12.load_key_and_certificates(base64.b64decode(pfx_base64), None)
    if leaf is None:
        raise GatewayCertificateError("the PFX holds no certificate; export it with its certificate and key")
    return int(leaf.not_valid_after_utc.timestamp())


def certificate_secret(
    name: str,
    *,
    common: Common,
    parent: pulumi.Resource,
    vault_name: pulumi.Input[str],
    secret_name: str,
    config: GatewayCertificate,
    host_name: str,
) -> keyvault.Secret:
    """The Key Vault secret the gateway's listener certificate is read from."""
    if config.source == "pfx":
        if not config.pfx_base64:
            raise GatewayCertificateError(f"{name}: appGateway.certificate.source is 'pfx' but pfxBase64 is not "
                                          "set; set it with `pulumi config set --secret --path "
                                          "'appGateway.certificate.pfxBase64' \"$(base64 -w0 cert.pfx)\"`")
        value: str = config.pfx_base64.get_secret_value()
    else:
        value = _bootstrap_pfx(host_name)
    bootstrap = config.source == "selfSigned"
    return keyvault.Secret(
        name,
        secret_name=secret_name,
        vault_name=vault_name,
        resource_group_name=common.resource_group_name,
        properties=keyvault.SecretPropertiesArgs(
            value=pulumi.Output.secret(value), content_type=PFX_CONTENT_TYPE,
            attributes=keyvault.SecretAttributesArgs(enabled=True, expires=_not_after(value))),
        tags=common.tags,
        # A bootstrap certificate is generated anew on every run: the first one, and its expiry, stay.
        opts=common.child(parent, ignore_changes=["properties.value", "properties.attributes"] if bootstrap else None),
    )
