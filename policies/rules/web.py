"""Web and function apps (web:WebApp): transport, remote debugging, private access. Basic-auth
publishing credentials are separate resources: relations/publishing.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from ..azure import types as T
from ..framework import Config, resource_policy
from ..framework.expect import COMPLIES, Row, is_not, value_policy
from ..framework.inputs import UNKNOWN, get, text
from ..framework.values import show, tls_below


def _web_app_transport(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    https = get(args.props, "httpsOnly")
    if https is not UNKNOWN and https is not True:
        yield "httpsOnly is not true: the site answers plain HTTP; set it to true"
    for key in ("minTlsVersion", "scmMinTlsVersion"):  # absent: 1.2 (the site, and its Kudu/SCM endpoint)
        version = get(args.props, "siteConfig", key)
        if tls_below(version):
            yield f"siteConfig.{key} is '{version}'; set it to '1.2'"
    ftps = text(args.props, "siteConfig", "ftpsState")
    if ftps is not UNKNOWN and ftps not in ("disabled", "ftpsonly"):
        shown = show(get(args.props, "siteConfig", "ftpsState"), "AllAllowed on older API versions")
        yield f"siteConfig.ftpsState is {shown}; set it to 'Disabled'"


def _web_app_private(args: ResourceValidationArgs, config: Config) -> Iterable[str]:
    access = text(args.props, "publicNetworkAccess")
    site_access = text(args.props, "siteConfig", "publicNetworkAccess")
    if UNKNOWN not in (access, site_access) and "disabled" not in (access, site_access):
        shown = show(get(args.props, "publicNetworkAccess"), "Enabled")
        yield (f"publicNetworkAccess is {shown}; set it to 'Disabled' and reach the "
               "site through a private endpoint or VNet integration")


web_app_secure_transport = resource_policy(
    name="web-app-secure-transport",
    description="Web and function apps serve HTTPS only with TLS 1.2+ (the site and its SCM/Kudu endpoint), and "
                "no plain FTP.",
    checklist=["COMP-4"],
    severity=Severity.HIGH,
    remediation="Set `https_only=True` and `site_config=SiteConfigArgs(min_tls_version='1.2', "
                "scm_min_tls_version='1.2', ftps_state='Disabled')`.",
    types=[T.WEB_APP],
    check=_web_app_transport,
)


web_app_remote_debugging_disabled = value_policy(
    name="web-app-remote-debugging-disabled",
    description="Web and function apps do not accept remote debugger connections.",
    checklist=["COMP-4", "SEC-4"],
    severity=Severity.HIGH,
    remediation="Set `site_config=SiteConfigArgs(remote_debugging_enabled=False)` (Azure's default); debug a "
                "deployment slot outside production instead.",
    types=[T.WEB_APP],
    rows=[
        Row(("siteConfig", "remoteDebuggingEnabled"), is_not(True), absent=COMPLIES,
            message="siteConfig.remoteDebuggingEnabled is true: the site accepts Visual Studio remote debugger "
                    "connections; set it to false"),
    ],
)


web_app_private_access = resource_policy(
    name="web-app-private-access",
    description="Web and function apps are closed to public networks.",
    checklist=["SEC-3"],
    severity=Severity.CRITICAL,
    remediation="Set `public_network_access='Disabled'` and reach the site through a private endpoint (group "
                "'sites') or publish it through the WAF gateway.",
    types=[T.WEB_APP],
    check=_web_app_private,
)


POLICIES: list[Policy] = [
    web_app_secure_transport, web_app_remote_debugging_disabled, web_app_private_access,
]
