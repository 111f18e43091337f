"""How every policy in the pack is built (policy.py), reads inputs (inputs.py), shows values
(values.py), relates stack resources (stack.py) and declares simple checks as rows (expect.py)."""

from .policy import Config, Suppressions, by_type, doc_url, resource_policy, stack_policy

__all__ = ["Config", "Suppressions", "by_type", "doc_url", "resource_policy", "stack_policy"]
