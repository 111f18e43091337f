"""Resource policy specifications, one module per Azure service (mirrors policies/rules/)."""
