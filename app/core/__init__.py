"""Qt-free domain model: instances, documents, categories and geometry (numpy only)."""

from app.core.categories import Category, LabelSet
from app.core.document import Change, Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState

__all__ = [
    "Category",
    "Change",
    "Document",
    "Instance",
    "InstanceState",
    "LabelSet",
    "PolygonGeometry",
    "RasterGeometry",
]
