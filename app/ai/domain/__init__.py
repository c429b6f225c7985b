"""Qt-free glue between model predictions and the project: class mapping, suggestions in
documents and the store, review filters, box prompts. Used by the GUI and the batch CLI alike."""
