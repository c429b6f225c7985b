"""File ▸ Import/Export: the dialogs, their background task runner, and the glue that opens them
on a saved store (the formats themselves are Qt-free, in app.formats)."""
