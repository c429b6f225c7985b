"""The AI feature in the app: auto-fill (panel, controller, inference worker thread), the review
queue, semantic/panoptic overlays. Its Qt-free rules live in app.ai.domain, which the batch CLI
uses too; this __init__ must stay import-free so that app.ai.domain imports without Qt."""
