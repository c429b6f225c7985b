"""Generic dock panels: file list, layers, classes."""
