"""Qt building blocks that no single feature owns: icons and the declarative action table."""
