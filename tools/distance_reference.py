#!/usr/bin/env python3
"""Reference distances for the zone's plots, computed independently of the Rust service.

    python3 tools/distance_reference.py > tests/data/distance_reference.json

Needs pyproj, shapely and numpy (`pip install pyproj shapely numpy`). Independent of the
service's code: coordinates are reprojected with pyproj from the files' EPSG:7801, every
distance is GeographicLib's (pyproj `Geod`, WGS84), and the nearest points are found by a
different method: a brute-force coarse-to-fine grid over the arc lengths of *both*
geodesic segments (so no "nearest at an endpoint" argument is assumed), over every segment
pair that the EPSG:7801 plane says could be within 1 % + 2 m of the nearest. Road distances
come from an independent Dijkstra (heapq) over the roads' shared vertices, compared
exactly in EPSG:7801, with one-way ramps respected; like the service's, they are the
straight access leg from the plot to its nearest road a plot can be reached from (not
motorway, not ramp) plus the shortest way along the roads from there.
"""

import heapq
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyproj
import shapely
from shapely.geometry import LineString, Point, Polygon

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
GEOD = pyproj.Geod(ellps="WGS84")
TO_LONLAT = pyproj.Transformer.from_crs("EPSG:7801", "EPSG:4326", always_xy=True)
ACCESS_LIMIT_M = 500.0
ACCESS_TIE_M = 1.0


def load(name):
    return json.loads((GEODATA / f"{name}.geojson").read_text())["features"]


def lonlat(xy):
    lon, lat = TO_LONLAT.transform(xy[0], xy[1])
    return (lon, lat)


class Seg:
    """A segment, in EPSG:7801 (for candidate selection) and lon/lat (for measuring)."""

    def __init__(self, a, b, owner, index):
        self.a, self.b = tuple(a), tuple(b)
        self.la, self.lb = lonlat(a), lonlat(b)
        self.owner, self.index = owner, index
        self.plane = LineString([a, b]) if a != b else Point(a)
        az, _, self.length = GEOD.inv(self.la[0], self.la[1], self.lb[0], self.lb[1])
        self.az = az

    def points(self, s):
        s = np.asarray(s, dtype=float)
        if self.length == 0:
            return np.full(s.shape, self.la[0]), np.full(s.shape, self.la[1])
        lon, lat, _ = GEOD.fwd(
            np.full(s.shape, self.la[0]), np.full(s.shape, self.la[1]), np.full(s.shape, self.az), s
        )
        return lon, lat


def segments(coords, owner):
    return [Seg(coords[i], coords[i + 1], owner, i) for i in range(len(coords) - 1)]


def refine(p, q, n=81):
    """Minimum geodesic distance between segments p and q (a point is a zero-length
    segment), by a grid over both arc lengths, zooming in until the step is < 10 µm."""
    lo_s, hi_s, lo_t, hi_t = 0.0, p.length, 0.0, q.length
    best = None
    while True:
        s = np.linspace(lo_s, hi_s, n) if hi_s > lo_s else np.array([lo_s])
        t = np.linspace(lo_t, hi_t, n) if hi_t > lo_t else np.array([lo_t])
        ss, tt = np.meshgrid(s, t, indexing="ij")
        plon, plat = p.points(ss.ravel())
        qlon, qlat = q.points(tt.ravel())
        _, _, d = GEOD.inv(plon, plat, qlon, qlat)
        k = int(np.argmin(d))
        best = (float(d[k]), float(ss.ravel()[k]), float(tt.ravel()[k]),
                (float(plon[k]), float(plat[k])), (float(qlon[k]), float(qlat[k])))
        step_s = (hi_s - lo_s) / (n - 1) if hi_s > lo_s else 0.0
        step_t = (hi_t - lo_t) / (n - 1) if hi_t > lo_t else 0.0
        if max(step_s, step_t) < 1e-5:
            return best
        lo_s, hi_s = max(0.0, best[1] - 2 * step_s), min(p.length, best[1] + 2 * step_s)
        lo_t, hi_t = max(0.0, best[2] - 2 * step_t), min(q.length, best[2] + 2 * step_t)


def nearest(from_segs, from_area, to_segs):
    """Nearest points between a plot (boundary segments + polygon) or point and targets."""
    if from_area is not None:
        for q in to_segs:
            if from_area.intersects(q.plane):
                hit = from_area.intersection(q.plane).representative_point()
                return {"distance_m": 0.0, "to_segment": q, "along_m": None,
                        "nearest": lonlat((hit.x, hit.y))}
    planar = [(p.plane.distance(q.plane), p, q) for p in from_segs for q in to_segs]
    dmin = min(d for d, _, _ in planar)
    best = None
    for d, p, q in planar:
        if d <= dmin * 1.01 + 2.0:
            found = refine(p, q)
            if best is None or found[0] < best[0]:
                best = found + (q,)
    d, _, t, _, to_point, q = best
    return {"distance_m": d, "to_segment": q, "along_m": t, "nearest": to_point}


def main():
    roads = load("roads")
    rail = load("rail")
    poi = load("poi")
    plots = load("plots")

    def line_segs(features):
        out = []
        for f in features:
            g = f["geometry"]
            lines = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
            for line in lines:
                out += segments(line, f)
        return out

    def point_segs(features):
        return [Seg(f["geometry"]["coordinates"], f["geometry"]["coordinates"], f, 0)
                for f in features]

    targets = {
        "motorway": line_segs([f for f in roads if f["properties"]["class"] == "motorway"]),
        "ring_road": line_segs([f for f in roads if f["properties"]["class"] == "ring_road"]),
        "rail": line_segs(rail),
        "station": point_segs([f for f in poi if f["properties"]["kind"] == "station"]),
        "interchange": point_segs([f for f in poi if f["properties"]["kind"] == "interchange"]),
    }
    access_segs = line_segs([f for f in roads if f["properties"]["class"] not in ("motorway", "ramp")])

    # The road graph: nodes are exact EPSG:7801 vertices; Dijkstra towards the interchange
    # over reversed edges.
    arriving = {}
    for s in line_segs(roads):
        oneway = bool(s.owner["properties"].get("oneway"))
        arriving.setdefault(s.b, []).append((s.a, s.length))
        if not oneway:
            arriving.setdefault(s.a, []).append((s.b, s.length))
    goal = tuple(targets["interchange"][0].a)
    to_goal = {goal: 0.0}
    heap = [(0.0, goal)]
    while heap:
        d, v = heapq.heappop(heap)
        if d > to_goal.get(v, float("inf")):
            continue
        for u, length in arriving.get(v, []):
            if d + length < to_goal.get(u, float("inf")):
                to_goal[u] = d + length
                heapq.heappush(heap, (d + length, u))

    def vertex_points(segs):
        points = {}
        for s in segs:
            for xy, ll in ((s.a, s.la), (s.b, s.lb)):
                point = Seg(xy, xy, s.owner, 0)
                point.la = point.lb = ll
                point.length = 0.0
                points[xy] = point
        return list(points.values())

    def road_distance(from_segs, from_area):
        """The service's rule: access candidates are the nearest points from each plot
        vertex to each accessible road segment and from each road vertex to each plot edge;
        among those within ACCESS_TIE_M of the nearest, the shortest total way wins (access
        leg plus the way along the roads)."""
        pairs = [(p, q, False) for p in vertex_points(from_segs) for q in access_segs]
        pairs += [(q, p, True) for q in vertex_points(access_segs) for p in from_segs]
        planar = [(a.plane.distance(b.plane), a, b, flip) for a, b, flip in pairs]
        dmin = min(d for d, _, _, _ in planar)
        hits = []
        for d, a, b, flip in planar:
            if d <= dmin * 1.01 + ACCESS_TIE_M + 2.0:
                found = refine(a, b)
                if flip:  # a road vertex: on the road at the vertex itself
                    road_point, road_seg, along = a.la, next(s for s in access_segs if s.a == a.a or s.b == a.a), None
                else:
                    road_point, road_seg, along = found[4], b, found[2]
                hits.append((found[0], road_point, road_seg, along, a))
        best_d = min(h[0] for h in hits)
        best = None
        for d, point, q, along, _ in hits:
            if d > best_d + ACCESS_TIE_M:
                continue
            if best_d > ACCESS_LIMIT_M:
                return {"distance_m": best_d, "to_segment": q}, None
            if along is None:
                along = GEOD.inv(q.la[0], q.la[1], point[0], point[1])[2]
            forward = (q.length - along) + to_goal.get(q.b, float("inf"))
            oneway = q.owner["properties"].get("oneway") and along > 0
            backward = float("inf") if oneway else along + to_goal.get(q.a, float("inf"))
            # The route starts at the plot's nearest point: the access leg, then the roads.
            total = d + min(forward, backward)
            if best is None or total < best[0]:
                best = (total, {"distance_m": d, "to_segment": q})
        return best[1], best[0]

    def measure(from_segs, from_area):
        out = {}
        for name, segs in targets.items():
            hit = nearest(from_segs, from_area, segs)
            out[f"{name}_m"] = round(hit["distance_m"], 4)
            out[f"{name}_nearest"] = [round(c, 10) for c in hit["nearest"]]
            out[f"{name}_feature"] = hit["to_segment"].owner["id"]
        access, road = road_distance(from_segs, from_area)
        out["access_m"] = round(access["distance_m"], 4)
        out["access_road"] = access["to_segment"].owner["id"]
        out["interchange_road_m"] = None if road is None else round(road, 4)
        return out

    result = {
        "command": "python3 tools/distance_reference.py > tests/data/distance_reference.json",
        "tools": f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), shapely {shapely.__version__}, numpy {np.__version__}",
        "method": " ".join(__doc__.split("\n\n")[2].split()),
        "plots": {},
        "points": [],
        "measure": {},
    }
    for f in plots:
        rings = [f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"]
        segs = [s for poly in rings for ring in poly for s in segments(ring, f)]
        area = shapely.union_all([Polygon(poly[0], poly[1:]) for poly in rings])
        result["plots"][f["id"]] = measure(segs, area)
        print(f"plot {f['id']} done", file=sys.stderr)

    to_7801 = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:7801", always_xy=True)
    for name, lon, lat in [
        ("Stara Zagora centre", 25.6345, 42.4258),
        ("west of the Stage 2 frontage road", 25.6500, 42.3725),
        ("beside II-66 east of Stage 1", 25.6900, 42.4295),
        ("beside I-5 south of the interchange", 25.6625, 42.3360),
        ("Zagore village", 25.6686, 42.3520),
        ("Sofia (no road access)", 23.319941, 42.698334),
    ]:
        xy = to_7801.transform(lon, lat)
        seg = Seg(xy, xy, None, 0)
        # The point itself, not its round trip through EPSG:7801.
        seg.la = seg.lb = (lon, lat)
        seg.length = 0.0
        entry = {"name": name, "lon": lon, "lat": lat}
        entry.update(measure([seg], None))
        result["points"].append(entry)

    plot = next(f for f in plots if f["id"] == "27214.33.50")
    ring = [lonlat(c) for c in plot["geometry"]["coordinates"][0]]
    area, perimeter = GEOD.geometry_area_perimeter(Polygon(ring))
    line = [(25.6345, 42.4258), (25.6617, 42.3394), (25.7286, 42.3489)]
    result["measure"] = {
        "polygon": {"type": "Polygon", "coordinates": [[list(c) for c in ring]]},
        "polygon_area_m2": round(abs(area), 4),
        "polygon_perimeter_m": round(perimeter, 4),
        "line": {"type": "LineString", "coordinates": [list(c) for c in line]},
        "line_length_m": round(GEOD.line_length([c[0] for c in line], [c[1] for c in line]), 4),
    }
    # The same line's length from PROJ's command-line `geod -I`, as a cross-check.
    geod_total = 0.0
    for (lon1, lat1), (lon2, lat2) in zip(line, line[1:]):
        out = subprocess.run(
            ["geod", "-I", "+ellps=WGS84", "-f", "%.6f"],
            input=f"{lat1} {lon1} {lat2} {lon2}\n", capture_output=True, text=True, check=True,
        ).stdout.split()
        geod_total += float(out[2])
    result["measure"]["line_length_m_geod_cli"] = round(geod_total, 4)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
