"""Benchmark: setup, dry-run (split), policy evaluation, tests, and scaling with regions/deployments."""
