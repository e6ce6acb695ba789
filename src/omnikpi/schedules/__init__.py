"""Scheduled reports: a saved report definition that runs by itself for the period just
ended and is sent by e-mail, dropped in a folder or posted to a webhook.

- :mod:`.timing` when a schedule is due and which period it reports (pure functions);
- :mod:`.store` schedules and their runs in the application database;
- :mod:`.runner` running what is due, each scheduled instant once;
- :mod:`.scheduler` the loop inside ``omnikpi serve`` (one process holds the lease).
"""
