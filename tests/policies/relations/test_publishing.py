"""Specification of policies/relations/publishing.py (`web-app-basic-auth-disabled`): a compliant and a
violating deployment per policy, declared with the SDK under mocks; relations come from the recorded
property dependencies, as the engine sends them, with preview cases where ids are still unknown."""

from __future__ import annotations

import copy

import pulumi_azure_native.web as web

from dryrun.model import UNKNOWN, Resource
from policies.azure import types as T
from policies.relations.publishing import web_app_basic_auth_disabled
from tests.policies import stack_inputs as st
from tests.policies.support import evaluate, sdk_resources


def _site(ftp: bool | None = False, scm: bool | None = False, slot_scm: bool | None = None,
          by_dependency: bool = True) -> list[Resource]:
    """A function app with its FTP / SCM basic-auth policies (None: not declared), linked through
    the site's name output (a dependency) or only the name string."""

    def build() -> None:
        group = st.group()
        site = web.WebApp("func", resource_group_name=group.name, name="func-ai-prod", location="eastus2",
                          kind="functionapp,linux", tags=st.TAGS)
        name = site.name if by_dependency else "func-ai-prod"
        if ftp is not None:
            web.WebAppFtpAllowed("func-ftp", resource_group_name=group.name, name=name, allow=ftp)
        if scm is not None:
            web.WebAppScmAllowed("func-scm", resource_group_name=group.name, name=name, allow=scm)
        if slot_scm is not None:
            web.WebAppScmAllowedSlot("func-staging-scm", resource_group_name=group.name, name=name,
                                     slot="staging", allow=slot_scm)

    return sdk_resources(build)


def test_basic_auth_disabled_compliant() -> None:
    assert evaluate([web_app_basic_auth_disabled], _site()) == []
    assert evaluate([web_app_basic_auth_disabled], _site(by_dependency=False)) == []  # matched by name
    assert evaluate([web_app_basic_auth_disabled], _site(slot_scm=False)) == []


def test_basic_auth_allowed_is_reported_on_its_policy() -> None:
    found = evaluate([web_app_basic_auth_disabled], _site(scm=True, slot_scm=True))
    assert [(where, "allow is True" in message) for where, message in st.where(found)] == [
        ("func-scm", True), ("func-staging-scm", True)]
    # Reported once, on the policy that allows it, not again on the site.
    found = evaluate([web_app_basic_auth_disabled], _site(ftp=True))
    assert [where for where, _ in st.where(found)] == ["func-ftp"]


def test_site_without_basic_auth_policies_is_reported() -> None:
    found = evaluate([web_app_basic_auth_disabled], _site(ftp=None, scm=None))
    assert st.where(found) == [("func", "web app 'func' does not turn off basic-auth publishing credentials for FTP "
                                      "and SCM, which Azure allows by default")]
    found = evaluate([web_app_basic_auth_disabled], _site(ftp=None))
    assert [m.rsplit("for ", 1)[-1] for _, m in st.where(found)] == ["FTP, which Azure allows by default"]


def test_preview_unknown_site_name_reports_nothing() -> None:
    rs = copy.deepcopy(_site(ftp=None))
    scm = st.one(rs, T.WEB_APP_SCM_ALLOWED)
    scm.inputs["name"] = UNKNOWN
    st.without_dependencies(scm, "name")
    assert evaluate([web_app_basic_auth_disabled], rs) == []
