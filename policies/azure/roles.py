"""Built-in Azure role definition ids: the roles the components grant, and the privileged roles
that both the components (components/rbac.py) and the pack (role-assignment-not-privileged) refuse.

A built-in role has the same GUID in every subscription and tenant; the ids are those of
https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (the page lists each
role's "ID"). The pack owns the table because a published pack carries no components/.
"""

from __future__ import annotations

from typing import Final

# Data-plane and narrow management roles a workload identity may be granted, by built-in role name.
ROLES: Final[dict[str, str]] = {
    "Cognitive Services OpenAI User": "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Certificate User": "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
    "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    "Azure Event Hubs Data Sender": "2b629674-e913-4c01-ae53-ef4638d8f975",
    "Azure Event Hubs Data Receiver": "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "Storage Account Backup Contributor": "e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    # https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning
    # Its listKeys action is moot: the accounts it is granted on have local auth disabled.
    "Cognitive Services User": "a97b65f3-24c7-4388-baec-2e87135dc908",
    # https://learn.microsoft.com/azure/search/search-security-rbac#built-in-roles-used-in-search
    "Search Index Data Reader": "1407120a-92aa-4202-b7e9-c0e197c71c8f",
    "Search Index Data Contributor": "8ebe5a00-799e-43f5-93ac-243d3dce84a7",
}

# Roles that can change anything or grant access: never for a workload identity (SEC-5).
PRIVILEGED: Final[dict[str, str]] = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
}

# The same privileged roles keyed by id, the shape of role-assignment-not-privileged's config.
PRIVILEGED_ROLE_IDS: Final[dict[str, str]] = {role_id: name for name, role_id in PRIVILEGED.items()}
