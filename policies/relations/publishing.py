"""Web app publishing credentials (SEC-1): the basic-auth policies are resources of their own, so
only the stack shows whether a site has them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pulumi_policy import Policy, Severity, StackValidationArgs

from ..azure import types as T
from ..framework import Config, stack_policy
from ..framework.inputs import UNKNOWN, depends_on, get, text
from ..framework.stack import Finding, Stack

# Basic-auth publishing credential policies of a site (the `name` input is the site's name), and of its slots.
BASIC_AUTH_POLICIES: dict[str, str] = {T.WEB_APP_FTP_ALLOWED: "FTP",
                                       T.WEB_APP_SCM_ALLOWED: "SCM"}


SLOT_BASIC_AUTH_POLICIES: dict[str, str] = {T.WEB_APP_FTP_ALLOWED_SLOT: "FTP",
                                            T.WEB_APP_SCM_ALLOWED_SLOT: "SCM"}


def _basic_auth_disabled(args: StackValidationArgs, config: Config) -> Iterable[Finding]:
    stack = Stack(args.resources)
    sites = stack.of(T.WEB_APP)
    site_urns = {s.urn for s in sites}
    by_name = {(text(s.props, "resourceGroupName"), text(s.props, "name")): s.urn for s in sites}
    declared: dict[str, set[str]] = defaultdict(set)  # site urn -> endpoints with a basic-auth policy
    blind = False
    for token, endpoint in {**BASIC_AUTH_POLICIES, **SLOT_BASIC_AUTH_POLICIES}.items():
        for policy in stack.of(token):
            allow = get(policy.props, "allow")
            if allow is not UNKNOWN and allow is not False:
                yield (f"'{policy.name}' ({token}) lets {endpoint} sign in with basic-auth publishing credentials "
                       f"(allow is {'absent' if allow is None else allow}); set allow to false", policy.urn)
            if token in SLOT_BASIC_AUTH_POLICIES:
                continue
            urns = depends_on(policy, "name") & site_urns
            key = (text(policy.props, "resourceGroupName"), text(policy.props, "name"))
            if not urns and UNKNOWN in key:
                blind = True
            elif not urns and key in by_name:
                urns = {by_name[key]}
            for urn in urns:
                declared[urn].add(endpoint)
    if blind:
        return
    for site in sites:
        missing = sorted(set(BASIC_AUTH_POLICIES.values()) - declared[site.urn])
        if missing:
            yield (f"web app '{site.name}' does not turn off basic-auth publishing credentials for "
                   f"{' and '.join(missing)}, which Azure allows by default", site.urn)


web_app_basic_auth_disabled = stack_policy(
    name="web-app-basic-auth-disabled",
    description="Web and function apps turn off basic-auth publishing credentials for FTP and SCM/Kudu (and no "
                "slot turns them on): deployments authenticate with Entra ID.",
    checklist=["SEC-1"],
    severity=Severity.HIGH,
    remediation="Declare `web.WebAppFtpAllowed` and `web.WebAppScmAllowed` (`...Slot` for slots) with "
                "`name=<site>.name` and `allow=False` for every site, and deploy with an identity-based method "
                "(e.g. a user-assigned identity with 'Website Contributor', or the storage deployment of Flex "
                "Consumption).",
    check=_basic_auth_disabled,
)


POLICIES: list[Policy] = [
    web_app_basic_auth_disabled,
]
