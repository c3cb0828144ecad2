#!/usr/bin/env python3
"""Self-check of the zone's GeoJSON layers in geodata/ (as written by make_geodata.py).

Checks, each printed as PASS or FAIL:
  * every layer is a FeatureCollection whose `crs` member names EPSG:7801, with unique
    string feature ids and coordinates rounded to millimetres;
  * plots: property schema and types, identifiers, closed counter-clockwise valid rings,
    planar area in EPSG:7801 within 0.3 % of the declared area, stage totals and plot lists,
    statuses, no overlaps (pairwise intersection < 0.01 m2), shared vertices (a vertex of one
    plot lying on another plot's boundary is a vertex of that plot too), a road within 60 m,
    no road or railway running through a plot;
  * stages: each outline contains all of its stage's plots;
  * roads: one connected network built from shared vertices, road ends that touch another road
    end on one of its vertices, no crossing without a shared vertex, ramps one-way;
  * rail and points: stations on rail vertices, the interchange on an A1 vertex, the railway
    within 2 km of Stage 2;
  * utilities: every feature planned, approximate and named in Bulgarian and English, near
    Stage 2; the 110 kV line 7.15 km long and ending at the planned substation of poi.

Usage (from the repository root):  python3 tools/geodata/check_geodata.py [geodata-dir]
Exit status 0 when everything passes. Requires shapely.
"""

import itertools
import json
import math
import os
import re
import sys

from shapely.geometry import LineString, Point, Polygon, shape
from shapely.strtree import STRtree

CRS_URN = "urn:ogc:def:crs:EPSG::7801"
AREA_TOLERANCE = 0.003
STAGE_TOTALS = {1: 115454, 2: 423639}
STAGE2_PLOTS = {"27214.30.17", "27214.33.1", "27214.33.7", "27214.33.8", "27214.33.50", "27214.33.37", "27214.65.1"}
PRECONTRACTED_AREA = 126933
CID = re.compile(r"^(\d{5})\.([1-9]\d{0,3})\.([1-9]\d{0,3})$")
VERTEX_TOL = 0.001  # 1 mm

PLOT_SCHEMA = {
    "cadastral_id": str, "ekatte": int, "settlement": str, "upi": str, "upi_no": str, "stage": int,
    "declared_area_m2": (int, float), "status": str, "zoning": str, "zoning_name": str, "zoning_name_en": str,
    "max_density_pct": (int, float), "max_intensity": (int, float), "min_greenery_pct": (int, float),
    "max_height_m": (int, float), "permitted_use": str, "permitted_use_en": str,
    "has_power": bool, "has_water": bool, "has_sewer": bool, "has_gas": bool, "has_fibre": bool,
    "utilities_note": str, "utilities_note_en": str, "access_road": str,
    "price_eur_m2": (int, float, type(None)), "price_note": str, "price_note_en": str,
    "pup_ref": str, "restrictions": str, "restrictions_en": str,
    "investor": (str, type(None)), "investor_en": (str, type(None)), "provenance": str,
}
STAGE_SCHEMA = {"stage": int, "name": str, "name_en": str, "area_declared_m2": (int, float),
                "description": str, "description_en": str}
ROAD_SCHEMA = {"class": str, "ref": str, "name": str, "name_en": str, "oneway": bool, "maxspeed_kmh": int}
RAIL_SCHEMA = {"name": str, "name_en": str, "ref": str, "usage": str, "electrified": bool}
POI_SCHEMA = {"kind": str, "name": str, "name_en": str, "description": str}
STATUSES = {"available", "reserved", "pre-contracted", "sold"}
ROAD_CLASSES = {"motorway", "ring_road", "primary", "local", "service", "ramp"}
POI_KINDS = {"interchange", "station", "substation", "parking", "office", "town", "quarter", "village", "stage"}


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, ok, what, detail=""):
        print(("PASS " if ok else "FAIL ") + what + (f": {detail}" if detail and not ok else ""))
        if not ok:
            self.failures += 1
        return ok


def has_type(value, types):
    if types is int or types == (int,):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, bool) and types is not bool:
        return False
    return isinstance(value, types)


def schema_problems(props, schema, exact):
    problems = []
    for name, types in schema.items():
        if name not in props:
            problems.append(f"missing {name}")
        elif not has_type(props[name], types):
            problems.append(f"{name} has type {type(props[name]).__name__}")
    if exact:
        extra = set(props) - set(schema)
        problems += [f"unexpected property {n}" for n in sorted(extra)]
    return problems


def shoelace(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2.0


def all_coords(geometry):
    c = geometry["coordinates"]
    if geometry["type"] == "Point":
        return [c]
    if geometry["type"] == "LineString":
        return c
    if geometry["type"] == "Polygon":
        return [p for ring in c for p in ring]
    raise ValueError(geometry["type"])


def load(directory, name, report):
    path = os.path.join(directory, f"{name}.geojson")
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    feats = data.get("features", [])
    report.check(data.get("type") == "FeatureCollection", f"{name}: FeatureCollection")
    report.check(data.get("crs") == {"type": "name", "properties": {"name": CRS_URN}},
                 f"{name}: crs member names EPSG:7801", str(data.get("crs")))
    ids = [f.get("id") for f in feats]
    report.check(all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids),
                 f"{name}: {len(feats)} features with unique string ids")
    bad = [f["id"] for f in feats for x, y in all_coords(f["geometry"])
           if round(x, 3) != x or round(y, 3) != y or not (100000 < x < 900000 and 4.5e6 < y < 4.9e6)]
    report.check(not bad, f"{name}: coordinates easting first, in EPSG:7801's range, rounded to mm",
                 f"{sorted(set(bad))}")
    return feats


def check_plots(plots, roads_geom, rail_geom, r):
    geoms = {}
    for f in plots:
        p, fid = f["properties"], f["id"]
        problems = schema_problems(p, PLOT_SCHEMA, exact=True)
        m = CID.match(p.get("cadastral_id", ""))
        if not m:
            problems.append("malformed cadastral_id")
        elif int(m.group(1)) != p.get("ekatte"):
            problems.append("ekatte differs from the identifier")
        if fid != p.get("cadastral_id"):
            problems.append("feature id differs from cadastral_id")
        if p.get("status") not in STATUSES:
            problems.append(f"status {p.get('status')}")
        r.check(not problems, f"plot {fid}: properties", "; ".join(problems))

        g = f["geometry"]
        rings = g["coordinates"] if g["type"] == "Polygon" else []
        ring = [tuple(c) for c in rings[0]] if rings else []
        ok = (g["type"] == "Polygon" and len(rings) == 1 and len(ring) >= 4 and ring[0] == ring[-1]
              and shoelace(ring) > 0)
        poly = Polygon(ring) if ok else None
        r.check(ok and poly.is_valid, f"plot {fid}: closed, counter-clockwise, valid polygon")
        if poly is None:  # reported above; the checks below need a usable polygon
            continue
        geoms[fid] = (poly, ring[:-1])
        area = shoelace(ring)
        declared = p["declared_area_m2"]
        r.check(abs(area - declared) <= AREA_TOLERANCE * declared,
                f"plot {fid}: area {area:.1f} m2 within 0.3 % of declared {declared}",
                f"off by {100 * (area - declared) / declared:+.3f} %")
        d = min(poly.distance(line) for line in roads_geom.values())
        r.check(d <= 60.0, f"plot {fid}: a road within 60 m ({d:.1f} m)")
        through = [lid for lid, line in {**roads_geom, **rail_geom}.items() if line.intersection(poly).length > 0.01]
        r.check(not through, f"plot {fid}: no road or railway runs through it", str(through))

    # stage totals and plot lists
    for stage, total in STAGE_TOTALS.items():
        members = [f for f in plots if f["properties"]["stage"] == stage]
        s = sum(f["properties"]["declared_area_m2"] for f in members)
        r.check(s == total, f"stage {stage}: declared areas sum to {total}", f"sum is {s}")
    s1 = [f["properties"] for f in plots if f["properties"]["stage"] == 1]
    s2 = [f["properties"] for f in plots if f["properties"]["stage"] == 2]
    r.check(len(s1) == 11 and all(4000 <= p["declared_area_m2"] <= 15000 for p in s1),
            "stage 1: 11 plots of 4,000-15,000 m2")
    r.check(all(p["cadastral_id"].startswith("68850.") for p in s1), "stage 1: plots in EKATTE 68850")
    st = [p["status"] for p in s1]
    r.check(st.count("reserved") == 1 and 2 <= st.count("available") <= 3 and st.count("sold") > len(st) / 2,
            f"stage 1: statuses sold {st.count('sold')}, available {st.count('available')}, reserved {st.count('reserved')}")
    r.check({p["cadastral_id"] for p in s2} == STAGE2_PLOTS and len(s2) == 7, "stage 2: exactly the 7 plots of Elenino")
    upis = {}
    for p in s2:
        upis.setdefault(p["upi"], []).append(p)
    r.check(len(upis) == 4, f"stage 2: 4 regulated plots (УПИ): {sorted(upis)}")
    pre = [u for u, ps in upis.items() if all(p["status"] == "pre-contracted" for p in ps)]
    mixed = [u for u, ps in upis.items() if len({p["status"] for p in ps}) > 1]
    pre_area = sum(p["declared_area_m2"] for u in pre for p in upis[u])
    r.check(len(pre) == 1 and not mixed and pre_area == PRECONTRACTED_AREA,
            f"stage 2: one pre-contracted УПИ of {PRECONTRACTED_AREA} m2 ({pre})")

    # topology between plots
    ids = sorted(geoms)
    tree = STRtree([geoms[i][0] for i in ids])
    overlaps, tjunctions = [], []
    for i, a in enumerate(ids):
        pa, va = geoms[a]
        for j in tree.query(pa):
            b = ids[j]
            if b <= a:
                continue
            pb, vb = geoms[b]
            inter = pa.intersection(pb).area
            if inter >= 0.01:
                overlaps.append(f"{a}/{b} {inter:.3f} m2")
            for (x, y), (other, poly, verts) in itertools.chain(
                    ((v, (b, pb, vb)) for v in va), ((v, (a, pa, va)) for v in vb)):
                if poly.exterior.distance(Point(x, y)) < VERTEX_TOL and (x, y) not in verts:
                    tjunctions.append(f"({x}, {y}) lies on {other}'s boundary but is not its vertex")
    r.check(not overlaps, "plots: no overlaps (pairwise intersection < 0.01 m2)", "; ".join(overlaps))
    r.check(not tjunctions, "plots: neighbours share boundary vertices exactly (no T-junctions)",
            "; ".join(tjunctions[:5]))
    return geoms


def check_stages(stages, plot_geoms, plots, r):
    by_stage = {}
    for f in stages:
        p = f["properties"]
        problems = schema_problems(p, STAGE_SCHEMA, exact=False)
        r.check(not problems, f"{f['id']}: properties", "; ".join(problems))
        ring = [tuple(c) for c in f["geometry"]["coordinates"][0]]
        poly = Polygon(ring)
        r.check(f["geometry"]["type"] == "Polygon" and ring[0] == ring[-1] and shoelace(ring) > 0 and poly.is_valid,
                f"{f['id']}: closed, counter-clockwise, valid polygon")
        by_stage[p["stage"]] = poly
        r.check(p["area_declared_m2"] == STAGE_TOTALS.get(p["stage"]), f"{f['id']}: area_declared_m2")
    r.check(sorted(f["id"] for f in stages) == ["stage-1", "stage-2"], "stages: stage-1 and stage-2")
    outside = [f["id"] for f in plots
               if f["id"] in plot_geoms and (f["properties"]["stage"] not in by_stage
               or not by_stage[f["properties"]["stage"]].buffer(VERTEX_TOL).covers(plot_geoms[f["id"]][0]))]
    r.check(not outside, "stages: each outline contains all of its stage's plots", str(outside))
    return by_stage


def check_roads(roads, r):
    lines = {}
    vertex_sets = {}
    adjacency = {}
    for f in roads:
        p = f["properties"]
        problems = schema_problems(p, ROAD_SCHEMA, exact=False)
        if p.get("class") not in ROAD_CLASSES:
            problems.append(f"class {p.get('class')}")
        if p.get("class") == "ramp" and p.get("oneway") is not True:
            problems.append("a ramp must be one-way")
        if f["geometry"]["type"] != "LineString" or len(f["geometry"]["coordinates"]) < 2:
            problems.append("not a LineString")
        r.check(not problems, f"road {f['id']}: properties and geometry", "; ".join(problems))
        pts = [tuple(c) for c in f["geometry"]["coordinates"]]
        lines[f["id"]] = LineString(pts)
        vertex_sets[f["id"]] = set(pts)
        for a, b in zip(pts, pts[1:]):
            adjacency.setdefault(a, set()).add(b)
            adjacency.setdefault(b, set()).add(a)
    # connectivity over shared vertices
    start = next(iter(adjacency))
    seen, stack = {start}, [start]
    while stack:
        for n in adjacency[stack.pop()]:
            if n not in seen:
                seen.add(n)
                stack.append(n)
    unreached = sorted(fid for fid, vs in vertex_sets.items() if not vs & seen)
    r.check(not unreached, f"roads: one connected network ({len(roads)} roads, {len(adjacency)} vertices)",
            f"not connected: {unreached}")
    # ends on other roads are vertices of them; crossings only at shared vertices
    bad_ends, crossings = [], []
    for f in roads:
        pts = f["geometry"]["coordinates"]
        for end in (tuple(pts[0]), tuple(pts[-1])):
            for other, line in lines.items():
                if other != f["id"] and line.distance(Point(end)) < VERTEX_TOL and end not in vertex_sets[other]:
                    bad_ends.append(f"{f['id']} ends on {other} between its vertices")
    for a, b in itertools.combinations(sorted(lines), 2):
        inter = lines[a].intersection(lines[b])
        if inter.is_empty:
            continue
        parts = getattr(inter, "geoms", [inter])
        for g in parts:
            if g.geom_type != "Point" or (g.x, g.y) not in vertex_sets[a] or (g.x, g.y) not in vertex_sets[b]:
                crossings.append(f"{a} x {b} at {g.wkt[:60]}")
    r.check(not bad_ends, "roads: a road ending on another ends on one of its vertices", "; ".join(bad_ends))
    r.check(not crossings, "roads: roads meet only at shared vertices", "; ".join(crossings))
    # ramps connect the A1 with the I-5
    a1 = [fid for fid in lines if next(x for x in roads if x["id"] == fid)["properties"]["ref"] == "A1"]
    i5 = [fid for fid in lines if next(x for x in roads if x["id"] == fid)["properties"]["ref"] == "I-5"]
    ramps = [f for f in roads if f["properties"]["class"] == "ramp"]
    ramp_ok = len(ramps) >= 2 and all(
        any(tuple(c) in vertex_sets[x] for x in a1 for c in (f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][-1]))
        and any(tuple(c) in vertex_sets[x] for x in i5 for c in (f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][-1]))
        for f in ramps)
    r.check(ramp_ok, f"roads: {len(ramps)} one-way ramps each join an A1 vertex and an I-5 vertex")
    return lines, vertex_sets, a1


def check_rail_poi(rail, poi, road_vertices, a1, stage_polys, r):
    rail_vertices = set()
    rail_lines = []
    for f in rail:
        p = f["properties"]
        problems = schema_problems(p, RAIL_SCHEMA, exact=False)
        if p.get("usage") not in ("main", "branch"):
            problems.append(f"usage {p.get('usage')}")
        r.check(not problems and f["geometry"]["type"] == "LineString", f"rail {f['id']}: properties and geometry",
                "; ".join(problems))
        pts = [tuple(c) for c in f["geometry"]["coordinates"]]
        rail_vertices |= set(pts)
        rail_lines.append(LineString(pts))
    for f in poi:
        p = f["properties"]
        problems = schema_problems(p, POI_SCHEMA, exact=False)
        if p.get("kind") not in POI_KINDS:
            problems.append(f"kind {p.get('kind')}")
        r.check(not problems and f["geometry"]["type"] == "Point", f"poi {f['id']}: properties and geometry",
                "; ".join(problems))
        xy = tuple(f["geometry"]["coordinates"])
        if p.get("kind") == "station":
            r.check(xy in rail_vertices, f"poi {f['id']}: on a rail vertex")
        if p.get("kind") == "interchange":
            r.check(any(xy in road_vertices[x] for x in a1) and isinstance(p.get("motorway_km"), (int, float)),
                    f"poi {f['id']}: on an A1 vertex, with motorway_km")
        if p.get("kind") == "parking":
            near = min(poly.distance(Point(xy)) for poly in stage_polys.values())
            r.check(near <= 100.0, f"poi {f['id']}: in or next to a stage ({near:.0f} m)")
        if p.get("kind") == "stage":
            r.check(stage_polys[int(f["id"].rsplit("-", 1)[1])].contains(Point(xy)), f"poi {f['id']}: inside its stage")
        if p.get("kind") == "substation":
            d = stage_polys[2].distance(Point(xy))
            r.check(d <= 1000.0, f"poi {f['id']}: near Stage 2 ({d:.0f} m)")
    d = min(line.distance(stage_polys[2]) for line in rail_lines)
    r.check(d <= 2000.0, f"rail: within 2 km of Stage 2 ({d:.0f} m)")


def check_utilities(utilities, poi, stage_polys, r):
    """The manifest's utilities layer: every feature planned, approximate and named in both
    languages, near Stage 2; the 110 kV line 7.15 km long, ending at the planned substation."""
    kinds = {"water_main", "sewer", "pumping_station", "substation", "power_line", "parking"}
    for f in utilities:
        p = f["properties"]
        ok = (p.get("kind") in kinds and p.get("approximate") is True and p.get("status") == "planned"
              and p.get("stage") == 2 and all(isinstance(p.get(k), str) and p[k] for k in ("name", "name_en", "provenance")))
        r.check(ok, f"utilities {f['id']}: planned, approximate, named in Bulgarian and English")
        if p.get("kind") != "power_line":
            d = stage_polys[2].distance(shape(f["geometry"]))
            r.check(d <= 500.0, f"utilities {f['id']}: in or next to Stage 2 ({d:.0f} m)")
    r.check({f["properties"]["kind"] for f in utilities} == kinds, "utilities: every kind of the profile's list")
    line = next(f for f in utilities if f["properties"]["kind"] == "power_line")
    coords = [tuple(c) for c in line["geometry"]["coordinates"]]
    length = sum(math.dist(coords[i], coords[i + 1]) for i in range(len(coords) - 1))
    r.check(abs(length - 7150.0) < 1.0, f"utilities: the 110 kV line is 7.15 km ({length:.1f} m)")
    substation = next(f for f in poi if f["properties"]["kind"] == "substation")
    r.check(coords[-1] == tuple(substation["geometry"]["coordinates"]),
            "utilities: the 110 kV line ends at the planned substation of poi")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    directory = argv[0] if argv else os.path.join(root, "geodata")
    r = Report()
    layers = {n: load(directory, n, r) for n in ("plots", "stages", "roads", "rail", "poi", "utilities")}
    road_lines, road_vertices, a1 = check_roads(layers["roads"], r)
    rail_lines = {f["id"]: LineString(f["geometry"]["coordinates"]) for f in layers["rail"]}
    plot_geoms = check_plots(layers["plots"], road_lines, rail_lines, r)
    stage_polys = check_stages(layers["stages"], plot_geoms, layers["plots"], r)
    check_rail_poi(layers["rail"], layers["poi"], road_vertices, a1, stage_polys, r)
    check_utilities(layers["utilities"], layers["poi"], stage_polys, r)

    print()
    print(f"{'id':<15} {'upi':<36} {'stage':>5} {'status':<15} {'declared m2':>11} {'EPSG:7801 m2':>13} {'diff %':>7}")
    for f in layers["plots"]:
        p = f["properties"]
        area = shoelace([tuple(c) for c in f["geometry"]["coordinates"][0]])
        print(f"{f['id']:<15} {p['upi']:<36} {p['stage']:>5} {p['status']:<15} {p['declared_area_m2']:>11} "
              f"{area:>13.2f} {100 * (area - p['declared_area_m2']) / p['declared_area_m2']:>+7.3f}")
    for stage in sorted(STAGE_TOTALS):
        ps = [f for f in layers["plots"] if f["properties"]["stage"] == stage]
        declared = sum(f["properties"]["declared_area_m2"] for f in ps)
        geometry = sum(shoelace([tuple(c) for c in f["geometry"]["coordinates"][0]]) for f in ps)
        outline = stage_polys[stage].area if stage in stage_polys else float("nan")
        print(f"stage {stage}: {len(ps)} plots, declared {declared} m2, plot geometry {geometry:.2f} m2, "
              f"stage outline {outline:.0f} m2 (plots + internal streets)")
    print()
    print("all checks passed" if r.failures == 0 else f"{r.failures} check(s) FAILED")
    return 0 if r.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
