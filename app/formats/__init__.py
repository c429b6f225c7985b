"""Qt-free readers and writers: the project store, images, class lists and label formats."""
