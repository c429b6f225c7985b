from __future__ import annotations

import numpy as np
import pytest

from app.core.categories import LabelSet
from app.core.document import ChangeKind, Document, ImageStatus
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState


def square(x, y, s=10):
    return PolygonGeometry.from_points([(x, y), (x + s, y), (x + s, y + s), (x, y + s)])


@pytest.fixture
def doc():
    d = Document("a.png", 100, 80)
    for k in range(3):
        d.add(Instance(d.new_id(), 1, square(10 * k, 10 * k)))
    return d


def test_add_remove_inverse(doc):
    events = []
    doc.changed.connect(events.append)
    inst, index = doc.remove(2)
    assert index == 1 and 2 not in doc and [i.id for i in doc] == [1, 3]
    doc.add(inst, index)
    assert [i.id for i in doc] == [1, 2, 3]
    assert [e.kind for e in events] == [ChangeKind.REMOVED, ChangeKind.ADDED]
    assert doc.revision == 5  # 3 adds in the fixture + 2 here
    with pytest.raises(ValueError):
        doc.add(inst)


def test_ids_not_reused(doc):
    doc.remove(3)
    assert doc.new_id() == 4


def test_move(doc):
    old = doc.move(1, 2)
    assert old == 0 and [i.id for i in doc] == [2, 3, 1]
    doc.move(1, old)
    assert [i.id for i in doc] == [1, 2, 3]


def test_set_geometry_inverse(doc):
    before = doc.get(1).geometry
    old = doc.set_geometry(1, before.to_raster())
    assert old == before and doc.get(1).is_raster
    doc.set_geometry(1, old)
    assert doc.get(1).geometry == before


def test_set_fields_inverse_and_validation(doc):
    old = doc.set_fields(2, category_id=5, state="suggested", locked=True)
    assert doc.get(2).state is InstanceState.SUGGESTED and doc.pending_count() == 1
    doc.set_fields(2, **old)
    assert doc.get(2).category_id == 1 and doc.get(2).state is InstanceState.ACCEPTED
    with pytest.raises(KeyError):
        doc.set_fields(2, geometry=None)


def test_write_pixels_inverse_bit_exact(doc):
    doc.set_geometry(1, doc.get(1).geometry.to_raster())
    start = doc.get(1).geometry
    box = (5, 5, 25, 25)
    stamp = np.zeros((20, 20), bool)
    stamp[5:15, 5:15] = True
    old = doc.write_pixels(1, box, np.ones((20, 20), bool), where=stamp)
    assert doc.get(1).geometry.area() > start.area()
    doc.write_pixels(1, box, old, where=stamp)
    assert doc.get(1).geometry == start


def test_write_pixels_clips_to_image(doc):
    doc.set_geometry(1, RasterGeometry.empty())
    doc.write_pixels(1, (90, 70, 110, 90), np.ones((20, 20), bool))
    assert doc.get(1).geometry.bbox() == (90, 70, 100, 80)


def test_write_pixels_needs_raster(doc):
    with pytest.raises(TypeError):
        doc.write_pixels(1, (0, 0, 2, 2), np.ones((2, 2), bool))


def test_status(doc):
    assert doc.set_status(ImageStatus.DONE) is ImageStatus.NEW
    assert doc.status is ImageStatus.DONE


def test_labelset():
    ls = LabelSet.from_names(["cat", "dog"])
    assert [c.id for c in ls] == [1, 2] and ls.by_name("DOG").id == 2
    removed = ls.remove(2)
    assert ls.add("bird").id == 3  # ids are not reused
    ls.insert(removed)
    assert ls.name(2) == "dog"
    old = ls.update(1, name="kitty")
    assert old.name == "cat" and ls.name(1) == "kitty"
    with pytest.raises(ValueError):
        LabelSet.from_names([]).insert(removed) or LabelSet([removed, removed])
