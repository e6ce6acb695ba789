"""The web application: a JSON API with the CLI's numbers and server-rendered dashboards."""
