"""Accounts, logins, API keys and the data scope of each role."""
