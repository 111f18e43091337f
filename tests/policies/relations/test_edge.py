"""The public edge (policies/relations/edge.py): static content behind a CDN edge, related to each
site only by the input that names an origin's host."""

from __future__ import annotations

import pulumi_azure_native.cdn as cdn
import pulumi_azure_native.storage as storage

from policies.relations.edge import static_content_behind_cdn
from tests.policies import secure_inputs as s
from tests.policies.support import evaluate, names, sdk_resources


def test_static_site_served_by_a_front_door_origin_passes() -> None:
    assert evaluate([static_content_behind_cdn], sdk_resources(s.edge())) == []


def test_an_origin_sharing_only_the_resource_group_does_not_serve_the_site() -> None:
    # The site and the API origin both depend on the resource group; that is no edge for the site.
    found = evaluate([static_content_behind_cdn], sdk_resources(s.edge(site_origin=False)))
    assert names(found) == {"static-content-behind-cdn"}
    assert "static content 'web' is served without a CDN / Front Door" in found[0].message


def test_a_disabled_origin_serves_nothing() -> None:
    found = evaluate([static_content_behind_cdn], sdk_resources(s.edge(site_origin_enabled=False)))
    assert names(found) == {"static-content-behind-cdn"}


def _website(host: str | None) -> s.Program:
    def build() -> None:
        account = storage.StorageAccount("web", resource_group_name=s.RG, account_name="stwebaip", location="eastus2",
                                         kind=storage.Kind.STORAGE_V2, sku=storage.SkuArgs(name="Standard_ZRS"))
        storage.StorageAccountStaticWebsite("site", account_name=account.name, resource_group_name=s.RG,
                                            index_document="index.html")
        if host is not None:
            # A literal host name, as a file exported from another tool records it.
            cdn.AFDOrigin("origin", resource_group_name=s.RG, profile_name=s.PROFILE, origin_group_name="web",
                          host_name=host)

    return build


def test_a_storage_website_named_by_its_web_endpoint_passes() -> None:
    assert evaluate([static_content_behind_cdn], sdk_resources(_website("stwebaip.z13.web.core.windows.net"))) == []


def test_an_origin_for_another_host_leaves_the_storage_website_uncovered() -> None:
    found = evaluate([static_content_behind_cdn], sdk_resources(_website("api.contoso.com")))
    assert names(found) == {"static-content-behind-cdn"}
    assert evaluate([static_content_behind_cdn], sdk_resources(_website(None)))


def test_an_origin_host_unknown_during_preview_is_not_reported() -> None:
    def build() -> None:
        s.static_site()()
        cdn.AFDOrigin("origin", resource_group_name=s.RG, profile_name=s.PROFILE, origin_group_name="site",
                      host_name=s.unknown())

    assert evaluate([static_content_behind_cdn], sdk_resources(build)) == []
