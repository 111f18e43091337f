"""Stack policy specifications, one module per concern (mirrors policies/relations/)."""
