"""Command-line interface (Typer): parse, call the library, print. No logic lives here."""
