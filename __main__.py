"""ai-platform: compose the stack from its validated configuration.

Order matters only where Azure needs it: the regional foundation first (resource group, lock,
workspace and network per region, then the private DNS zones for the private-link groups the
components declare, linked to every VNet), then one application stamp per region, then the AI
gateways over every stamp, then the global layer (Traffic Manager, frontend, availability tests,
budgets, governance, backup, events).
"""

import pulumi
import pulumi_azure_native.authorization as authorization

import stack_config
from components import stamp
from components.foundation import Foundation
from components.global_layer import GlobalLayer
from components.outputs import export_outputs
from components.regional_gateways import RegionalGateways
from components.stamp import RegionalStamp, RegionalStampArgs

cfg = stack_config.from_pulumi()
stack = pulumi.get_stack()
tenant_id = authorization.get_client_config_output().tenant_id

foundation = Foundation(cfg, private_link_groups=[
    *stamp.private_link_groups(cfg), *RegionalGateways.private_link_groups(cfg), *GlobalLayer.private_link_groups(cfg)])
stamps = {
    loc: RegionalStamp(f"stamp-{loc}", RegionalStampArgs.on(
        region, cfg, foundation.action_group.id, tenant_id=tenant_id, stack=stack))
    for loc, region in foundation.regions.items()
}
gateways = RegionalGateways(cfg, foundation, stamps, tenant_id=tenant_id, stack=stack)
layer = GlobalLayer(cfg, foundation, stamps, tenant_id=tenant_id, stack=stack)
export_outputs(cfg, foundation, stamps, gateways, layer)
