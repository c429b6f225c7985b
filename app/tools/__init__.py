"""Canvas tools: one class per tool, driven by plain PointerEvents (see base.py)."""
