"""The view: the canvas widget, rendering of instances and overlay layers, hit-testing, the
shared selection, and the pointer-event protocol that tools implement."""
