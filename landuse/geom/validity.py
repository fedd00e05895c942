"""Remember which arrays of geometries were found valid, by the identity of their objects.

A county run tabulates many layers against the same zone layer (townships, control lines),
and validating a zone layer with thousands of polygons costs more than some of those
tabulations. Shapely geometries are immutable, so the validity of an object never changes:
an array of the very same objects (the same ``id`` of every element, in order) that was
found valid is still valid. Entries hold weak references to the objects: an entry whose
objects are all alive names exactly those objects (a live object's ``id`` is not reused),
and an entry with a dead object is dropped. Nothing is kept alive by this cache.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

__all__ = ["known_valid", "remember_valid"]

_SIZE = 8  # arrays remembered (the most recent)
_LOCK = threading.Lock()
_ENTRIES: list[tuple[np.ndarray, list[weakref.ref]]] = []


def _ids(geoms: np.ndarray) -> np.ndarray:
    return np.fromiter(map(id, geoms), dtype=np.uint64, count=len(geoms))


def known_valid(geoms: np.ndarray) -> bool:
    """Whether exactly these objects (in this order) were passed to :func:`remember_valid`."""
    ids = _ids(geoms)
    with _LOCK:
        for k in range(len(_ENTRIES) - 1, -1, -1):
            known, refs = _ENTRIES[k]
            if len(known) != len(ids) or not np.array_equal(known, ids):
                continue
            if all(r() is not None for r in refs):
                return True
            del _ENTRIES[k]  # an object died: its id may name another object now
    return False


def remember_valid(geoms: np.ndarray) -> None:
    """Record that every object of ``geoms`` (shapely geometries, or None) is valid."""
    try:
        refs = [weakref.ref(g) for g in geoms]
    except TypeError:  # an element that takes no weak reference (None): not remembered
        return
    with _LOCK:
        _ENTRIES.append((_ids(geoms), refs))
        del _ENTRIES[:-_SIZE]
