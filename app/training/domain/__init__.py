"""Qt-free training glue: the project's done images as samples, the job run in a child
process and its progress messages. maskpilot-train uses it."""
