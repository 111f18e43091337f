"""The global layer over the regional stamps: Traffic Manager across the regions' gateways, the
frontend (Static Web App behind Front Door), availability tests, the budgets, load testing, Azure
Policy governance, backup and event processing, all declared in the primary region.

A plain composition, not a ComponentResource: the resources keep the names (and so the URNs) they
were first deployed under, with no parent, so no deployed stack is replaced.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from stack_config.model import StackConfig

from .availability import AvailabilityTests, AvailabilityTestsArgs
from .backup import PRIVATE_LINK_GROUP as BACKUP_GROUP
from .backup import Backup, BackupArgs
from .budget import Budget, BudgetArgs
from .container_apps import ServiceIdentity
from .event_processing import PRIVATE_LINK_GROUPS as EVENT_GROUPS
from .event_processing import EventProcessing, EventProcessingArgs
from .foundation import Foundation
from .front_door import FrontDoor, FrontDoorArgs
from .governance import Governance, GovernanceArgs
from .load_testing import LoadTesting, LoadTestingArgs
from .naming import unique_name_output
from .stamp import RegionalStamp, entrypoint
from .static_web_app import StaticWebApp, StaticWebAppArgs
from .token_budget import TokenBudget, TokenBudgetArgs
from .traffic_manager import GlobalTrafficManager, GlobalTrafficManagerArgs, RegionEndpoint


class GlobalLayer:
    def __init__(self, cfg: StackConfig, foundation: Foundation, stamps: Mapping[str, RegionalStamp],
                 tenant_id: pulumi.Input[str], stack: str) -> None:
        common, base, primary = foundation.common, foundation.base_name, stamps[foundation.primary]
        home = foundation.regions[foundation.primary]
        alerts_to = foundation.action_group.id
        health_path = entrypoint(cfg).probe_path

        self.traffic_manager: GlobalTrafficManager | None = None
        if cfg.traffic_manager.enabled:
            self.traffic_manager = GlobalTrafficManager("traffic-manager", GlobalTrafficManagerArgs(
                common=common,
                relative_name=unique_name_output("tm", base_name=base, location="global", stack=stack,
                                                 tenant_id=tenant_id, max_length=63),
                endpoints=[RegionEndpoint(loc, s.gateway.public_ip_id) for loc, s in stamps.items()],
                # Probes must match the gateway's listener host name, or every region looks down.
                host_header=cfg.traffic_manager.host_header or cfg.app_gateway.host_name,
                health_path=health_path))
        tm_fqdn = self.traffic_manager.fqdn if self.traffic_manager else None

        # The frontend's API route leads to the public entry point (Traffic Manager when there is
        # one, else the primary gateway), so it comes after both.
        self.frontend: FrontDoor | None = None
        if cfg.frontend is not None:
            site = StaticWebApp("web", StaticWebAppArgs(common=common, config=cfg.frontend, base_name=base))
            self.frontend = FrontDoor("edge", FrontDoorArgs(
                common=common, config=cfg.frontend, base_name=base, stack=stack, tenant_id=tenant_id,
                site_host=site.default_hostname, api_origin=tm_fqdn or primary.gateway.fqdn,
                api_host_header=cfg.app_gateway.host_name or ""))

        AvailabilityTests("availability", AvailabilityTestsArgs(
            common=common, base_name=base, app_insights_id=home.monitoring.app_insights_id,
            action_group_id=alerts_to, locations=cfg.monitoring.availability_locations,
            host_name=cfg.app_gateway.host_name, traffic_manager_fqdn=tm_fqdn,
            gateway_fqdn=primary.gateway.fqdn, health_path=health_path))
        Budget("budget", BudgetArgs(
            common=common, base_name=base, budget=cfg.budget, resource_group_ids=foundation.group_ids,
            action_group_id=alerts_to))
        # The seed's token-spend target: the OpenAI accounts of every region under one monthly limit.
        TokenBudget("token-budget", TokenBudgetArgs(
            common=common, base_name=base, amount=cfg.slo.token_spend_monthly, budget=cfg.budget,
            account_ids=[s.openai.account_id for s in stamps.values()], action_group_id=alerts_to))
        self.load_testing = LoadTesting("load-testing", LoadTestingArgs(common=common, base_name=base))
        Governance("governance", GovernanceArgs(
            common=common, config=cfg.governance, resource_group_ids=foundation.group_ids,
            allowed_locations=cfg.allowed_locations))
        self.backup = Backup("backup", BackupArgs(
            common=common, base_name=base, backup=cfg.backup, stack=stack, tenant_id=tenant_id))

        self.events: EventProcessing | None = None
        if cfg.event_processing.enabled:
            ids, search = primary.identities, primary.search
            self.events = EventProcessing("events", EventProcessingArgs(
                common=common, config=cfg.event_processing, base_name=base, stack=stack, tenant_id=tenant_id,
                environment=cfg.environment, subnet_id=home.network.subnet_ids["functions"],
                identity=ServiceIdentity(ids.ids["functions"], ids.client_ids["functions"],
                                         ids.principal_ids["functions"]),
                openai_endpoint=primary.openai_endpoint,
                search_endpoint=search.endpoint if search else None,
                key_vault_secrets=primary.vault.secret_uris,
                key_vault_id=primary.vault.id))

    @staticmethod
    def private_link_groups(cfg: StackConfig) -> list[str]:
        """The backup account's blob endpoint; event processing's namespaces, storage and function app."""
        return [BACKUP_GROUP] + (list(EVENT_GROUPS) if cfg.event_processing.enabled else [])
