"""The main window and what only it knows: the action table, folder and image navigation,
the per-image undo stacks, the crash handler. Wiring only; the features live in sibling packages."""
