"""Dialogs of the main window (import/export of labels)."""
