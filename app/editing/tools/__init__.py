"""Drawing and editing tools. Each is one class driven by PointerEvents (app.canvas.pointer)
through a ToolContext (base.py); a new tool is one module here plus one row in the action table."""
