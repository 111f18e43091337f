"""ai-platform: compose the stack from its validated configuration."""

import pulumi
import pulumi_azure_native.resources as resources

import stack_config

cfg = stack_config.from_pulumi()
tags = cfg.resource_tags()

for index, region in enumerate(cfg.network.regions):
    group = resources.ResourceGroup(
        f"rg-{region.location}",
        resource_group_name=f"rg-{cfg.name_prefix}-{cfg.environment}-{region.location}",
        location=region.location,
        tags={**tags, "region-role": "primary" if index == 0 else "secondary"},
    )
    pulumi.export(f"{region.location}.resourceGroup", group.name)
