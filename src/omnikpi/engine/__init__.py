"""Compiles KPI declarations to Ibis expressions and runs them on a backend."""
