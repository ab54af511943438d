"""Where things go on screen, as pure functions of sizes and records: grids of meters,
chart rows, axis ticks, label placement. Nothing here imports Textual (a test proves
it), so every layout decision is tested without a running app."""
