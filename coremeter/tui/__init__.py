"""The dashboard: a Textual app on top of the engine, which it only polls and draws."""
