"""Real time: live ingest, the wallboard's state of *now*, and alerts."""
