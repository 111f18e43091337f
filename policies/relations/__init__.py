"""Stack policies: rules only the whole deployment shows (relations between resources), one module
per concern. The shared lookups are framework/stack.py."""

from . import (
    ai_gateway,
    databases,
    diagnostics,
    edge,
    frontend,
    governance,
    observability,
    private_link,
    publishing,
    slo,
    storage,
    topology,
)

MODULES = (private_link, publishing, diagnostics, edge, databases, governance, topology, observability, storage,
           ai_gateway, slo, frontend)
