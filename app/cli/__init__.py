"""Command-line tools: maskpilot-export and maskpilot-import (Qt-free)."""
