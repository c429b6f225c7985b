"""The open project: folder, label store, class list, documents in memory and autosave."""
