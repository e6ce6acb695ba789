"""The application database: users, API keys, sessions, audit log, saved reports, alert
rules and QA data, through SQLAlchemy with Alembic migrations (SQLite file by default,
PostgreSQL supported)."""
