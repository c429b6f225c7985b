"""Categories (classes) with stable 1-based ids, names, colors and a thing/stuff flag."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass, replace

from app.core.observer import Signal

Color = tuple[int, int, int]


def default_color(category_id: int) -> Color:
    """A distinct, saturated colour per id (golden-ratio hue steps), stable across sessions."""
    hue = (category_id * 0.618033988749895) % 1.0
    sat = 0.65 + 0.3 * ((category_id * 7) % 3) / 2
    r, g, b = colorsys.hsv_to_rgb(hue, sat, 0.95)
    return (round(r * 255), round(g * 255), round(b * 255))


@dataclass(frozen=True)
class Category:
    id: int
    name: str
    color: Color
    isthing: bool = True
    supercategory: str = ""  # COCO's grouping name, kept from imported files ("" = not known)


class LabelSet:
    """An ordered set of categories. Ids are never reused while the set lives, and may have gaps
    (COCO's 80 thing classes use ids 1..90)."""

    def __init__(self, categories: list[Category] | None = None) -> None:
        self._cats: dict[int, Category] = {}
        for c in categories or []:
            if c.id < 1:
                raise ValueError(f"category ids are 1-based, got {c.id} ({c.name!r})")
            if c.id in self._cats:
                raise ValueError(f"duplicate category id {c.id}")
            self._cats[c.id] = c
        self._next_id = max(self._cats, default=0) + 1
        self.changed: Signal[int] = Signal()  # emits the category id that changed

    @staticmethod
    def from_names(names: list[str]) -> LabelSet:
        return LabelSet([Category(i, n, default_color(i)) for i, n in enumerate(names, start=1)])

    def copy(self) -> LabelSet:
        """An independent copy that will hand out the same next id (for work on another thread)."""
        clone = LabelSet(list(self._cats.values()))
        clone._next_id = self._next_id
        return clone

    def __iter__(self):
        return iter(self._cats.values())

    def __len__(self) -> int:
        return len(self._cats)

    def __contains__(self, category_id: int) -> bool:
        return category_id in self._cats

    def next_id(self) -> int:
        """The id `add` would hand out next (not consumed)."""
        return self._next_id

    def get(self, category_id: int) -> Category | None:
        return self._cats.get(category_id)

    def by_name(self, name: str) -> Category | None:
        key = name.strip().lower()
        return next((c for c in self._cats.values() if c.name.lower() == key), None)

    def color(self, category_id: int) -> Color:
        cat = self._cats.get(category_id)
        return cat.color if cat else default_color(category_id)

    def name(self, category_id: int) -> str:
        cat = self._cats.get(category_id)
        return cat.name if cat else f"#{category_id}"

    def add(self, name: str, color: Color | None = None, isthing: bool = True) -> Category:
        cid = self._next_id
        self._next_id += 1
        cat = Category(cid, name, color or default_color(cid), isthing)
        self._cats[cid] = cat
        self.changed.emit(cid)
        return cat

    def insert(self, category: Category) -> None:
        """Put back a category with its own id (undo of a removal, or an import)."""
        if category.id in self._cats:
            raise ValueError(f"category id {category.id} already present")
        self._cats[category.id] = category
        self._next_id = max(self._next_id, category.id + 1)
        self.changed.emit(category.id)

    def update(self, category_id: int, **fields: object) -> Category:
        """Rename / recolor / change thing-stuff; returns the old category."""
        old = self._cats[category_id]
        self._cats[category_id] = replace(old, **fields)
        self.changed.emit(category_id)
        return old

    def remove(self, category_id: int) -> Category:
        cat = self._cats.pop(category_id)
        self.changed.emit(category_id)
        return cat
