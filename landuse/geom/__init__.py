"""Geometry helpers of the overlay engine (tiling of large polygons, geodesic areas).

These are internal building blocks of :func:`landuse.overlay.tabulate`; they work on
numpy arrays of shapely geometries and never on GeoDataFrames.
"""
