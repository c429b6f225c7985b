"""Dock panels: file list, layers, classes."""
