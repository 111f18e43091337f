"""Post-deployment verification of a stack's live endpoints (`python -m verify --help`)."""
