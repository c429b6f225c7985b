"""Background work for the GUI: image decoding/prefetch now, model inference later."""
