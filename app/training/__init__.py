"""Training a model on the project's own labels: the dialog and its controller (Qt); the
Qt-free job, data and child-process runner live in `domain`."""
