"""End-to-end tests by area; every module here is imported by the harness (see tests/harness)."""
