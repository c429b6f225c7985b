"""Qt-free glue between model predictions and the project: class mapping, suggestions in
documents and the store, review filters. Used by both the GUI worker and the batch CLI."""
