"""Reference areas for tests/suite/measure_hostile.rs, from pyproj's Geod (GeographicLib), an
implementation independent of the service's.

    python3 -m venv /tmp/pyref && /tmp/pyref/bin/pip install pyproj
    /tmp/pyref/bin/python tools/measure_reference.py > tests/data/measure_orientation_reference.json
"""
import json

from pyproj import Geod

geod = Geod(ellps="WGS84")


def ring_area_perimeter(ring):
    area, perimeter = geod.polygon_area_perimeter([c[0] for c in ring], [c[1] for c in ring])
    return abs(area), perimeter


triangle = [[25.65, 42.37], [25.66, 42.37], [25.66, 42.36], [25.65, 42.37]]
outer = [[25.60, 42.40], [25.62, 42.40], [25.62, 42.42], [25.60, 42.42], [25.60, 42.40]]
hole = [[25.605, 42.405], [25.605, 42.415], [25.615, 42.415], [25.615, 42.405], [25.605, 42.405]]

t_area, t_perimeter = ring_area_perimeter(triangle)
o_area, o_perimeter = ring_area_perimeter(outer)
h_area, h_perimeter = ring_area_perimeter(hole)
print(json.dumps({
    "pyproj": __import__("pyproj").__version__,
    "triangle": {"ring": triangle, "area_m2": t_area, "perimeter_m": t_perimeter},
    "square_with_hole": {
        "outer": outer,
        "hole": hole,
        "area_m2": o_area - h_area,
        "perimeter_m": o_perimeter + h_perimeter,
    },
}, indent=2))
