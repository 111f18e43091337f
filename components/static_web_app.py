"""The seed's web frontend (`host: staticwebapp`): an Azure Static Web App, served only through the
stack's Front Door (components/front_door.py), never on its own name.

- Plan: Standard in prod (SLA, and the `forwardingGateway` setting that makes the site answer
  only requests carrying this stack's Front Door id); Free is accepted in dev.
  https://learn.microsoft.com/azure/static-web-apps/plans
- Staging (pull-request preview) environments are public URLs of unreviewed code: disabled unless
  config enables them (never in prod). REST property `stagingEnvironmentPolicy`, Microsoft.Web
  staticSites 2025-05-01.
- Enterprise-grade edge stays off: it is a managed Front Door without a WAF, and this stack puts
  its own Front Door Premium with a WAF policy in front instead.
  https://learn.microsoft.com/azure/static-web-apps/front-door-manual
- The custom domain is bound on Front Door (managed certificate), not on the site, so the only
  public names are the edge's.
- Diagnostics: none of Microsoft.Web/staticSites' metrics is exportable through diagnostic
  settings ("DS Export: No",
  https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-web-staticsites-metrics),
  and Static Web Apps' own monitoring is Application Insights for a site's API
  (https://learn.microsoft.com/azure/static-web-apps/monitor), which this site does not have. Every
  request to it passes Front Door, whose access, health-probe and WAF logs go to the workspace.
- Content and `staticwebapp.config.json` (with `forwardingGateway.requiredHeaders.X-Azure-FDID`
  = the `frontDoorId` stack output) are deployed by the delivery pipeline with the site's
  deployment token, which never leaves Azure as a stack output.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.web as web

from stack_config.model import STATIC_WEB_APP_REGIONS, Frontend

from .common import Common


class StaticWebAppError(pulumi.RunError):
    """StaticWebApp was given inputs Azure would refuse."""


@dataclass(frozen=True)
class StaticWebAppArgs:
    common: Common
    config: Frontend
    base_name: str


def _check(name: str, args: StaticWebAppArgs) -> None:
    if args.config.location not in STATIC_WEB_APP_REGIONS:
        raise StaticWebAppError(f"{name}: Static Web Apps are not offered in '{args.config.location}'; use one of "
                                f"{', '.join(sorted(STATIC_WEB_APP_REGIONS))}")
    if args.common.role_grants:
        raise StaticWebAppError(f"{name}: Common.role_grants: a static site has no data plane to grant roles on")


class StaticWebApp(pulumi.ComponentResource):
    site: web.StaticSite
    site_id: pulumi.Output[str]
    default_hostname: pulumi.Output[str]

    def __init__(self, name: str, args: StaticWebAppArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _check(name, args)
        super().__init__("ai-platform:static_web_app:StaticWebApp", name, None, opts)
        cfg = args.config
        self.site = web.StaticSite(
            name,
            name=f"swa-{args.base_name}",
            resource_group_name=args.common.resource_group_name,
            location=cfg.location,
            sku=web.SkuDescriptionArgs(name=cfg.sku, tier=cfg.sku),
            staging_environment_policy=(web.StagingEnvironmentPolicy.ENABLED if cfg.staging_environments
                                        else web.StagingEnvironmentPolicy.DISABLED),
            enterprise_grade_cdn_status=web.EnterpriseGradeCdnStatus.DISABLED,
            # The pipeline's staticwebapp.config.json carries the Front Door restriction, so the
            # site must accept config file updates.
            allow_config_file_updates=True,
            # Front Door reaches the site as a public origin; the forwarding gateway rule limits
            # that origin to this stack's Front Door.
            public_network_access="Enabled",
            tags=args.common.tags,
            opts=args.common.child(self),
        )
        self.site_id = self.site.id
        self.default_hostname = self.site.default_hostname
        self.register_outputs({"siteId": self.site_id, "defaultHostname": self.default_hostname})
