"""One annotated object: geometry plus class, provenance and review state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from app.core.geometry import Geometry, PolygonGeometry, RasterGeometry


class InstanceState(str, Enum):
    """Review state: a person's instance, or a model's suggestion still waiting for review."""

    ACCEPTED = "accepted"
    SUGGESTED = "suggested"


MANUAL = "manual"


@dataclass(eq=True)
class Instance:
    """An instance annotation.

    geometry: a PolygonGeometry (editable vertices) or a RasterGeometry (bbox-cropped mask).
    source: "manual" or the model name that proposed it; score: model confidence or None.
    provenance: free-form facts kept in the store (e.g. model, weights, accepted_at).
    """

    id: int
    category_id: int
    geometry: Geometry
    source: str = MANUAL
    score: float | None = None
    state: InstanceState = InstanceState.ACCEPTED
    visible: bool = True
    locked: bool = False
    provenance: dict = field(default_factory=dict)

    @property
    def is_raster(self) -> bool:
        return isinstance(self.geometry, RasterGeometry)

    @property
    def is_polygon(self) -> bool:
        return isinstance(self.geometry, PolygonGeometry)

    @property
    def is_suggestion(self) -> bool:
        return self.state is InstanceState.SUGGESTED

    def bbox(self) -> tuple[int, int, int, int]:
        return self.geometry.bbox()

    def copy(self, **changes: object) -> Instance:
        """A shallow copy (geometries are immutable, so sharing them is safe)."""
        return replace(self, provenance=dict(self.provenance), **changes)
