"""Qt-free inference package. Importing it never imports torch: models are built on demand."""
