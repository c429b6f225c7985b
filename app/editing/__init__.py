"""Manual editing: the tools (one class each, in tools/), undo commands, mask operations and the
controller that applies them to the selected instances."""
