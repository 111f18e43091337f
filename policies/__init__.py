"""CrossGuard policy pack enforcing the production readiness checklist (see pack.py)."""
