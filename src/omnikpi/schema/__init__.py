"""Canonical tables: column specs, loading, validation and quarantine."""
