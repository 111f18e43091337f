"""Reusable, secure-by-default Pulumi components for AI workloads on Azure."""
