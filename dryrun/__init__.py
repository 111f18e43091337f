"""Offline dry-run of the Pulumi program and its policy pack (see __main__.py)."""
