"""The dashboard's widgets, one a module: each draws what it is handed, and holds
none of the engine's state."""
