"""Feature-neutral background threads: image decoding/prefetch and one-off calls (GrabCut)."""
