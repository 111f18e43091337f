"""Resource policies, one module per Azure service they read (PSRule's Azure.<Service>.Rule files).

A policy that reads several services sits with the service it is about (secrets and identities in
identity.py, tags, residency, zones and protection across types in resources.py). The checklist
area is a tag on each policy, not a folder: docs/policies/README.md indexes both ways.
"""

from . import (
           api_management,
           app_gateway,
           authorization,
           backup,
           budget,
           cognitive_services,
           container_apps,
           front_door,
           governance,
           identity,
           key_vault,
           messaging,
           monitor,
           network,
           redis,
           resources,
           search,
           static_web_apps,
           storage,
           traffic_manager,
           waf_policy,
           web,
)

MODULES = (cognitive_services, key_vault, redis, network, authorization, app_gateway, waf_policy, container_apps,
           identity, storage, messaging, web, monitor, traffic_manager, backup, budget, governance, resources,
           api_management, search, static_web_apps, front_door)
