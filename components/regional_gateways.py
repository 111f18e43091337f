"""The AI gateways: one API Management gateway per region, each over every region's OpenAI account
(local first); a pool fails over to another region's private endpoint over the foundation's VNet peerings.

Declared after the stamps because a pool needs all of them, while the stamps already know a
gateway's URL (components.ai_gateway.gateway_url). A plain composition, not a ComponentResource:
the gateways keep the names (and so the URNs) they were first deployed under.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from stack_config.model import StackConfig

from .ai_gateway import AIGateway, AIGatewayArgs, OpenAIBackend
from .foundation import Foundation
from .redis import PRIVATE_LINK_GROUP as REDIS_GROUP
from .stamp import RegionalStamp


class RegionalGateways:
    """`by_region` is empty when the stack has no (enabled) AI gateway."""

    def __init__(self, cfg: StackConfig, foundation: Foundation, stamps: Mapping[str, RegionalStamp],
                 tenant_id: pulumi.Input[str], stack: str) -> None:
        self.by_region: dict[str, AIGateway] = {}
        gateway = cfg.enabled_ai_gateway
        if gateway is None:
            return
        regions = foundation.regions
        backends = [OpenAIBackend(loc, s.openai.account_id, s.openai.endpoint) for loc, s in stamps.items()]
        for loc, stamp in stamps.items():
            self.by_region[loc] = AIGateway(f"ai-gateway-{loc}", AIGatewayArgs(
                common=regions[loc].common, config=gateway, base_name=foundation.base_name, stack=stack,
                tenant_id=tenant_id, subnet_id=regions[loc].network.subnet_ids["apiManagement"],
                vnet_ids={other: r.network.vnet_id for other, r in regions.items()}, backends=backends,
                client_ids={c.service: stamp.identities.client_ids[c.service] for c in gateway.consumers},
                embeddings_deployment=gateway.semantic_cache.embeddings_deployment,
                app_insights_id=regions[loc].monitoring.app_insights_id,
                app_insights_connection_string=regions[loc].monitoring.connection_string,
                key_vault_id=stamp.vault.id, key_vault_name=stamp.vault.name,
                action_group_id=foundation.action_group.id, thresholds=cfg.monitoring.thresholds))

    @staticmethod
    def private_link_groups(cfg: StackConfig) -> list[str]:
        """The gateways' semantic cache is an Azure Managed Redis behind a private endpoint."""
        return [REDIS_GROUP] if cfg.enabled_ai_gateway is not None else []
