"""The production readiness checklist (../shared/CHECKLIST.md) as data: the IDs every policy names.

Process items carry the reason no infrastructure check can prove them and where the team's
procedure lives (docs/operations.md).
"""

from __future__ import annotations

from typing import NamedTuple


class Item(NamedTuple):
    id: str
    area: str
    text: str
    process: str = ""  # non-empty: a process item, with why infrastructure cannot prove it


ITEMS: tuple[Item, ...] = (
    Item("SEC-1", "Security", "All services use managed identities"),
    Item("SEC-2", "Security", "Secrets are stored in Key Vault"),
    Item("SEC-3", "Security", "Private endpoints configured"),
    Item("SEC-4", "Security", "Network security groups implemented"),
    Item("SEC-5", "Security", "RBAC with least privilege"),
    Item("SEC-6", "Security", "WAF enabled on public endpoints"),
    Item("PERF-1", "Performance", "Autoscaling configured"),
    Item("PERF-2", "Performance", "Caching implemented"),
    Item("PERF-3", "Performance", "Load balancing configured"),
    Item("PERF-4", "Performance", "CDN for static content"),
    # Enforced where a stack holds a database (postgres-connection-pooling); pooling in the services'
    # own clients stays application code (docs/operations.md#process-items).
    Item("PERF-5", "Performance", "Database connection pooling"),
    Item("PERF-6", "Performance", "Token usage optimized"),
    Item("MON-1", "Monitoring", "Application Insights configured"),
    Item("MON-2", "Monitoring", "Custom metrics defined"),
    Item("MON-3", "Monitoring", "Alert rules configured"),
    Item("MON-4", "Monitoring", "Dashboards created"),
    Item("MON-5", "Monitoring", "Health checks implemented"),
    Item("MON-6", "Monitoring", "Log retention policy configured"),
    Item("REL-1", "Reliability", "Multi-region deployment"),
    Item("REL-2", "Reliability", "Backup and recovery plan"),
    # Enforced on the AI gateway's model path (openai-backend-circuit-breaker, openai-backend-pool); breakers
    # for the other dependencies stay in the services' HTTP clients (docs/operations.md#rel-3).
    Item("REL-3", "Reliability", "Circuit breaker implemented"),
    Item("REL-4", "Reliability", "Retry policies configured"),
    Item("REL-5", "Reliability", "Graceful degradation handled"),
    Item("REL-6", "Reliability", "Health check endpoints implemented"),
    Item("COST-1", "Cost", "Budget alerts configured"),
    Item("COST-2", "Cost", "Resources right-sized"),
    Item("COST-3", "Cost", "Dev/test discounts applied",
         "Dev/Test pricing is a property of the subscription offer, invisible to a deployment. "
         "See docs/operations.md#process-items."),
    Item("COST-4", "Cost", "Reserved instances purchased",
         "Reservations are billing purchases, not resources a stack declares. "
         "See docs/operations.md#process-items."),
    Item("COST-5", "Cost", "Cost monitoring dashboard created"),
    Item("COST-6", "Cost", "Regular cost review",
         "A recurring meeting with an owner; no resource proves it happens. "
         "See docs/operations.md#process-items."),
    Item("COMP-1", "Compliance", "Data residency requirements met"),
    Item("COMP-2", "Compliance", "Audit logging enabled"),
    Item("COMP-3", "Compliance", "Compliance policies applied"),
    Item("COMP-4", "Compliance", "Security baseline implemented"),
    Item("COMP-5", "Compliance", "Regular security assessments",
         "Assessments are scheduled reviews and penetration tests outside the deployment. "
         "See docs/operations.md#process-items."),
    Item("COMP-6", "Compliance", "Incident response plan",
         "An incident response plan is a document and a rota, not infrastructure. "
         "See docs/operations.md#process-items."),
)

BY_ID = {item.id: item for item in ITEMS}
