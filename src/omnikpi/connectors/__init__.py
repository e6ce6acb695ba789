"""Connectors: one module per source format → canonical tables. Nothing else reads raw files."""
