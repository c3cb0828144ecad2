#!/usr/bin/env python3
"""Generate the approximate geodata of Industrial Zone Zagore (Stara Zagora, Bulgaria).

This script is how the layers in ``geodata/`` were digitised: approximately, from the
public descriptions of the zone (the company profile, the pre-investment study's list of
cadastral plots) and a handful of OpenStreetMap-derived waypoints for the motorway, the
ring road, the railway stations and the villages. Nothing here was surveyed. Plot shapes,
street layouts, the interchange ramps and most vertices of the roads and railways are
*designed* to be plausible, not measured. When official exports arrive (the cadastre
agency's shapefiles converted with ``ogr2ogr``, the road and rail operators' data), they
replace this script's output; see ``docs/data.md``.

How it works
------------
* Every shape is designed directly in the target CRS, EPSG:7801 (BGS2005 / CCS2005,
  Lambert conformal conic), in metres. The few published positions (lat, lon on WGS84,
  which equals BGS2005 to about a metre) are converted once with pyproj and anchor local
  frames: Stage 1 is axis-aligned next to the I-5 x II-66 junction, Stage 2 is laid out in
  a frame parallel to the southern ring road. Because the frames are rigid motions of the
  grid, the planar (shoelace) area of each plot in EPSG:7801 equals its designed area.
* Each plot's declared area is fixed first; the plot boundaries are then solved (by
  bisection) so that the polygon has exactly that area before rounding to millimetres.
* Shared boundaries are built from the same computed points, so neighbouring plots share
  identical vertices; roads that meet share an identical junction vertex.
* Output: GeoJSON FeatureCollections with a ``crs`` member naming EPSG:7801, coordinates
  easting first (as ogr2ogr writes them), rounded to 3 decimals, one feature per line.

Run from the repository root::

    python3 tools/geodata/make_geodata.py          # writes geodata/*.geojson, then checks them

The output is deterministic (same inputs, same pyproj/PROJ version, same bytes).
Requires: pyproj, shapely (for the self-check in check_geodata.py).
"""

import json
import math
import os
import sys

from pyproj import Transformer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(ROOT, "geodata")

CRS_URN = "urn:ogc:def:crs:EPSG::7801"
PROVENANCE = "digitised approximately from public descriptions; not surveyed"

_TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:7801", always_xy=True)


def grid(lat, lon):
    """WGS84 (lat, lon) -> EPSG:7801 (easting, northing) in metres."""
    e, n = _TO_GRID.transform(lon, lat)
    return (e, n)


# ---------------------------------------------------------------------------------------
# small geometry helpers (plain floats, no dependencies)
# ---------------------------------------------------------------------------------------

def add(p, q):
    return (p[0] + q[0], p[1] + q[1])


def sub(p, q):
    return (p[0] - q[0], p[1] - q[1])


def mul(p, k):
    return (p[0] * k, p[1] * k)


def dist(p, q):
    return math.hypot(p[0] - q[0], p[1] - q[1])


def unit(v):
    n = math.hypot(v[0], v[1])
    return (v[0] / n, v[1] / n)


def lerp(p, q, t):
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


def shoelace(ring):
    """Signed planar area of a ring (closed or open); > 0 when counter-clockwise."""
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    s = 0.0
    for i, (x1, y1) in enumerate(pts):
        x2, y2 = pts[(i + 1) % len(pts)]
        s += x1 * y2 - x2 * y1
    return s / 2.0


def bisect(f, lo, hi, iterations=200):
    """Root of a monotonic f on [lo, hi] (f(lo) and f(hi) must differ in sign)."""
    flo = f(lo)
    if flo * f(hi) > 0:
        raise ValueError("bisection interval does not bracket a root")
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        fm = f(mid)
        if fm == 0:
            return mid
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2.0


def interp_x(polyline, y):
    """x of a polyline given as [(x, y), ...] with increasing y, at height y."""
    for (x1, y1), (x2, y2) in zip(polyline, polyline[1:]):
        if y1 <= y <= y2:
            return x1 + (x2 - x1) * (y - y1) / (y2 - y1)
    raise ValueError(f"y={y} outside the polyline")


def line_intersection(p1, p2, q1, q2):
    """Intersection of the infinite lines p1p2 and q1q2."""
    d1, d2 = sub(p2, p1), sub(q2, q1)
    den = d1[0] * d2[1] - d1[1] * d2[0]
    t = ((q1[0] - p1[0]) * d2[1] - (q1[1] - p1[1]) * d2[0]) / den
    return add(p1, mul(d1, t))


def catmull_rom(points, spacing):
    """Centripetal Catmull-Rom spline through `points`, sampled about every `spacing` m.

    Every control point is a vertex of the result."""
    ext = [sub(mul(points[0], 2), points[1])] + list(points) + [sub(mul(points[-1], 2), points[-2])]
    out = [points[0]]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        t0 = 0.0
        t1 = t0 + dist(p0, p1) ** 0.5
        t2 = t1 + dist(p1, p2) ** 0.5
        t3 = t2 + dist(p2, p3) ** 0.5
        n = max(1, round(dist(p1, p2) / spacing))
        for k in range(1, n):
            t = t1 + (t2 - t1) * k / n
            a1 = add(mul(p0, (t1 - t) / (t1 - t0)), mul(p1, (t - t0) / (t1 - t0)))
            a2 = add(mul(p1, (t2 - t) / (t2 - t1)), mul(p2, (t - t1) / (t2 - t1)))
            a3 = add(mul(p2, (t3 - t) / (t3 - t2)), mul(p3, (t - t2) / (t3 - t2)))
            b1 = add(mul(a1, (t2 - t) / (t2 - t0)), mul(a2, (t - t0) / (t2 - t0)))
            b2 = add(mul(a2, (t3 - t) / (t3 - t1)), mul(a3, (t - t1) / (t3 - t1)))
            out.append(add(mul(b1, (t2 - t) / (t2 - t1)), mul(b2, (t - t1) / (t2 - t1))))
        out.append(p2)
    return out


def densify(points, spacing):
    """Straight segments between `points`, with extra vertices about every `spacing` m."""
    out = [points[0]]
    for p, q in zip(points, points[1:]):
        n = max(1, round(dist(p, q) / spacing))
        out.extend(lerp(p, q, k / n) for k in range(1, n))
        out.append(q)
    return out


def arc_positions(line):
    s = [0.0]
    for p, q in zip(line, line[1:]):
        s.append(s[-1] + dist(p, q))
    return s


def point_at(line, s_target):
    s = arc_positions(line)
    for i in range(len(line) - 1):
        if s[i] <= s_target <= s[i + 1]:
            return lerp(line[i], line[i + 1], (s_target - s[i]) / (s[i + 1] - s[i]))
    raise ValueError("arc position outside the line")


def project(line, p):
    """Arc position of the point of `line` nearest to p."""
    s = arc_positions(line)
    best = (float("inf"), 0.0)
    for i in range(len(line) - 1):
        a, b = line[i], line[i + 1]
        d = sub(b, a)
        L2 = d[0] ** 2 + d[1] ** 2
        t = max(0.0, min(1.0, ((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / L2))
        q = lerp(a, b, t)
        best = min(best, (dist(p, q), s[i] + t * math.sqrt(L2)))
    return best[1]


def insert_vertices(line, keep, specials, clearance):
    """Insert `specials` (points on or next to `line`) as vertices of it.

    Vertices of `line` that are not in `keep` and lie within `clearance` metres (along the
    line) of a special point are dropped, so that junction vertices are not crowded. The
    special points keep their exact coordinates (they are shared with other features)."""
    s = arc_positions(line)
    sp = [(project(line, p), p) for p in specials]
    merged = []
    for si, p in zip(s, line):
        if p in keep or all(abs(si - ss) > clearance for ss, _ in sp):
            merged.append((si, 0, p))
    merged.extend((ss, 1, p) for ss, p in sp)
    merged.sort(key=lambda t: (t[0], t[1]))
    return [p for _, _, p in merged]


def bezier(p0, c, p2, n):
    """Quadratic Bezier from p0 to p2 with control point c, n segments."""
    pts = []
    for k in range(n + 1):
        t = k / n
        pts.append(add(add(mul(p0, (1 - t) ** 2), mul(c, 2 * (1 - t) * t)), mul(p2, t * t)))
    pts[0], pts[-1] = p0, p2
    return pts


def r3(v):
    r = round(v, 3)
    return 0.0 if r == 0 else r


def coords(points):
    return [[r3(x), r3(y)] for x, y in points]


def ring_ccw(points):
    """Closed, rounded, counter-clockwise exterior ring (RFC 7946)."""
    pts = coords(points)
    if pts[0] != pts[-1]:
        pts.append(list(pts[0]))
    if shoelace([tuple(p) for p in pts]) < 0:
        pts.reverse()
    return pts


# ---------------------------------------------------------------------------------------
# published anchor positions (WGS84 lat, lon) -> EPSG:7801
# ---------------------------------------------------------------------------------------

# Trakia motorway A1, OSM-derived waypoints west -> east; the second is the interchange.
A1_WAYPOINTS = [grid(42.3167, 25.5447), grid(42.3394, 25.6617), grid(42.3489, 25.7286), grid(42.3708, 25.8047)]
IC = A1_WAYPOINTS[1]  # "Stara Zagora" interchange with I-5/E85, about km 208-209

# Eastern ring road (I-5/E85 bypass), OSM-derived waypoints north -> south.
J_II66_NE = grid(42.4290, 25.6747)  # junction with II-66 to Nova Zagora
RR_MID = grid(42.4113, 25.6738)
J_II57 = grid(42.3977, 25.6599)
J_II66_W = grid(42.3937, 25.6459)  # junction with II-66 to Chirpan

# Railway stations (approximate).
ST_STARA_ZAGORA = grid(42.4186, 25.6262)
ST_KALOYANOVETS = grid(42.3059, 25.5812)
ST_MIHAYLOVO = grid(42.2531, 25.5235)
ST_KALITINOVO = grid(42.4226, 25.7340)


# ---------------------------------------------------------------------------------------
# plot layout
# ---------------------------------------------------------------------------------------

def row_plot(edge_x, outer, ya, yb):
    """A plot of a row between the street edge x = edge_x and the `outer` polyline, cut by
    horizontal lines y = ya and y = yb (local coordinates). Includes the outer polyline's
    kinks between the cuts."""
    kinks = [(x, y) for x, y in outer if ya < y < yb]
    return ([(edge_x, ya), (interp_x(outer, ya), ya)] + kinks
            + [(interp_x(outer, yb), yb), (edge_x, yb)])


def solve_row(edge_x, outer, y_start, areas):
    """Cut a row into plots of the given areas, from y_start upwards. Returns the cut ys."""
    cuts = [y_start]
    for area in areas:
        ya = cuts[-1]
        yb = bisect(lambda y: abs(shoelace(row_plot(edge_x, outer, ya, y))) - area, ya + 1.0, min(ya + 400.0, outer[-1][1]))
        cuts.append(yb)
    return cuts


def stage1_layout():
    """Stage 1: two rows of plots either side of internal street A, which runs north from
    II-66; internal street B branches east from it and splits the east side into two blocks.

    Local frame: x east, y north, metres, origin on II-66 at the junction with street A,
    330 m east of the ring-road junction. Returns plots, street strips, roads and points in
    the local frame plus the transform to the grid."""
    origin = (J_II66_NE[0] + 330.0, J_II66_NE[1])

    def to_grid(p):
        return (origin[0] + p[0], origin[1] + p[1])

    HW = 8.0  # half width of the internal streets' reserve
    Y0 = 20.0  # plots start 20 m north of the II-66 centreline
    # Outer boundaries (field boundaries): kinked polylines, increasing y.
    west_outer = [(-182.0, Y0), (-176.0, 175.0), (-160.0, 290.0), (-150.0, 460.0)]
    east_outer = [(190.0, Y0), (198.0, 90.0), (192.0, 260.0), (178.0, 460.0)]

    # (cadastral plot number, declared area m2), south -> north
    west = [(101, 11842), (102, 9615), (103, 10238), (104, 8417), (105, 13127)]
    e1 = (106, 4360)   # corner plot at II-66 x street A
    e2 = (107, 14718)  # L-shaped plot wrapping the corner plot
    east_north = [(108, 10944), (109, 9306), (110, 7985), (111, 14902)]

    plots = {}
    # West row (block 1): from the street edge x = -HW westwards.
    wcuts = solve_row(-HW, west_outer, Y0, [a for _, a in west])
    for i, (num, area) in enumerate(west):
        plots[num] = (row_plot(-HW, west_outer, wcuts[i], wcuts[i + 1]), area, 1, i + 1)

    # East, south block (block 2): corner rectangle + L-shaped plot.
    depth = 60.0
    width = e1[1] / depth
    c_se = (HW + width, Y0)
    c_ne = (HW + width, Y0 + depth)
    c_nw = (HW, Y0 + depth)
    plots[e1[0]] = ([(HW, Y0), c_se, c_ne, c_nw], e1[1], 2, 1)

    def l_shape(yt):
        kinks = [(x, y) for x, y in east_outer if Y0 < y < yt]
        return ([c_se, (interp_x(east_outer, Y0), Y0)] + kinks
                + [(interp_x(east_outer, yt), yt), (HW, yt), c_nw, c_ne])

    yt = bisect(lambda y: abs(shoelace(l_shape(y))) - e2[1], Y0 + depth + 1.0, Y0 + 300.0)
    plots[e2[0]] = (l_shape(yt), e2[1], 2, 2)
    y_street_b = yt + HW

    # East, north block (block 3): a row north of street B.
    ecuts = solve_row(HW, east_outer, y_street_b + HW, [a for _, a in east_north])
    for i, (num, area) in enumerate(east_north):
        plots[num] = (row_plot(HW, east_outer, ecuts[i], ecuts[i + 1]), area, 3, i + 1)

    # Street reserves, to close the stage outline between the two rows.
    y_top_w, y_top_e = wcuts[-1], ecuts[-1]
    strips = [
        [(-HW, Y0), (HW, Y0), (HW, y_top_e), (-HW, y_top_w)],
        [(HW, yt), (interp_x(east_outer, yt), yt),
         (interp_x(east_outer, ecuts[0]), ecuts[0]), (HW, ecuts[0])],
    ]
    street_a_end = min(y_top_w, y_top_e) - 15.0
    street_b_end = min(interp_x(east_outer, yt), interp_x(east_outer, ecuts[0])) - 10.0
    pts = {
        "street_a_start": (0.0, 0.0),
        "street_b_node": (0.0, y_street_b),
        "street_a_end": (0.0, street_a_end),
        "street_b_end": (street_b_end, y_street_b),
        "parking": (street_b_end - 25.0, y_street_b),
    }
    return {
        "plots": {k: ([to_grid(p) for p in ring], a, blk, n) for k, (ring, a, blk, n) in plots.items()},
        "strips": [[to_grid(p) for p in s] for s in strips],
        "points": {k: to_grid(p) for k, p in pts.items()},
    }


def stage2_layout():
    """Stage 2: four regulated plots (УПИ) of seven cadastral plots of Elenino, west of the
    southern ring road, with a frontage service road (улица-локално платно) parallel to the
    ring road and an internal access road westwards that splits the stage into two blocks.

    Local frame: w metres west of the ring road's centreline (perpendicular to it), v metres
    along it (towards the north), origin on the ring road at about 42.3705 N."""
    vdir = unit(sub(J_II66_W, IC))  # along the ring road, northwards
    wdir = (-vdir[1], vdir[0])       # perpendicular, westwards
    north = grid(42.3705, 25.65)[1]
    origin = add(IC, mul(vdir, (north - IC[1]) / vdir[1]))

    def P(w, v):
        return add(origin, add(mul(wdir, w), mul(vdir, v)))

    WE = 35.0      # plots start 35 m from the ring road's centreline
    HW = 8.0       # half width of the internal access road's reserve

    def top(w):    # northern field boundary (slanted)
        return 430.0 - 0.08 * (w - WE)

    def bottom(w):  # southern field boundary (slanted)
        return -445.0 + 0.06 * (w - WE)

    # Declared areas (m2). УПИ II (33.1 + 33.7) is the 126,933 m2 pre-contracted site.
    A = {"30.17": 88245, "33.1": 71406, "33.7": 55527,
         "33.8": 41318, "33.50": 23096, "33.37": 37614, "65.1": 106433}

    # North block: УПИ II next to the ring road, УПИ I (30.17) behind it.
    def upi2(wa):
        return [(WE, HW), (wa, HW), (wa, top(wa)), (WE, top(WE))]

    wa = bisect(lambda w: abs(shoelace(upi2(w))) - (A["33.1"] + A["33.7"]), WE + 50, WE + 600)
    vc = HW + A["33.7"] / (wa - WE)
    ring = {
        "33.7": [(WE, HW), (wa, HW), (wa, vc), (WE, vc)],
        "33.1": [(WE, vc), (wa, vc), (wa, top(wa)), (WE, top(WE))],
    }

    def block_north(c):
        # western boundary w = c + 0.10 (v - HW): a field boundary not square to the road
        sw = (c, HW)
        nw = line_intersection(sw, (c + 0.10 * 100.0, HW + 100.0), (WE, top(WE)), (WE + 100.0, top(WE + 100.0)))
        return [(wa, HW), sw, nw, (wa, top(wa)), (wa, vc)]

    cn = bisect(lambda c: abs(shoelace(block_north(c))) - A["30.17"], wa + 50, wa + 600)
    ring["30.17"] = block_north(cn)

    # South block: УПИ III (33.8, 33.50, 33.37) next to the ring road, УПИ IV (65.1) behind.
    def upi3(wb):
        return [(WE, -HW), (WE, bottom(WE)), (wb, bottom(wb)), (wb, -HW)]

    upi3_area = A["33.8"] + A["33.50"] + A["33.37"]
    wb = bisect(lambda w: abs(shoelace(upi3(w))) - upi3_area, WE + 50, WE + 600)
    c1 = -HW - A["33.8"] / (wb - WE)
    c2 = c1 - A["33.50"] / (wb - WE)
    ring["33.8"] = [(WE, -HW), (WE, c1), (wb, c1), (wb, -HW)]
    ring["33.50"] = [(WE, c1), (WE, c2), (wb, c2), (wb, c1)]
    ring["33.37"] = [(WE, c2), (WE, bottom(WE)), (wb, bottom(wb)), (wb, c2)]

    def block_south(c):
        nw = (c, -HW)
        sw = line_intersection(nw, (c + 0.07 * 100.0, -HW - 100.0), (WE, bottom(WE)), (WE + 100.0, bottom(WE + 100.0)))
        return [(wb, -HW), (wb, c1), (wb, c2), (wb, bottom(wb)), sw, nw]

    cs = bisect(lambda c: abs(shoelace(block_south(c))) - A["65.1"], wb + 50, wb + 600)
    ring["65.1"] = block_south(cs)

    sw_corner = ring["65.1"][4]
    strips = [
        # frontage road reserve between the ring road and the plots
        [(14.0, bottom(WE)), (WE, bottom(WE)), (WE, top(WE)), (14.0, top(WE))],
        # internal access road reserve between the two blocks
        [(WE, -HW), (cs, -HW), (cn, HW), (WE, HW)],
    ]
    access_end = min(cs, cn) - 20.0
    pts = {
        "ring_north": (0.0, top(WE) + 70.0),
        "frontage_north": (22.0, top(WE) + 15.0),
        "frontage_node": (22.0, 0.0),
        "frontage_south": (22.0, bottom(WE) - 15.0),
        "ring_south": (0.0, bottom(WE) - 70.0),
        "access_mid": ((22.0 + access_end) / 2.0, 0.0),
        "access_end": (access_end, 0.0),
        "parking": (26.0, -60.0),
        "substation": (sw_corner[0] - 80.0, bottom(sw_corner[0] - 80.0) - 40.0),
    }
    return {
        "plots": {k: ([P(*p) for p in r], A[k]) for k, r in ring.items()},
        "strips": [[P(*p) for p in s] for s in strips],
        "points": {k: P(*p) for k, p in pts.items()},
    }


# ---------------------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------------------

ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]

S1_STREET_A = "вътрешна улица А (Етап 1)"
S1_STREET_B = "вътрешна улица Б (Етап 1)"
S2_FRONTAGE = "улица-локално платно (Етап 2)"
S2_ACCESS = "вътрешна обслужваща улица (Етап 2)"

STAGE_RULES = {
    1: {
        "settlement": "гр. Стара Загора",
        "zoning": "Пп",
        "zoning_name": "предимно производствена",
        "zoning_name_en": "predominantly production",
        "max_density_pct": 65,
        "max_intensity": 2.0,
        "min_greenery_pct": 20,
        "max_height_m": 15,
        "permitted_use": "леко производство, складова дейност, логистика и услуги",
        "permitted_use_en": "light manufacturing, warehousing, logistics and services",
        "has_power": True, "has_water": True, "has_sewer": True, "has_gas": True, "has_fibre": True,
        "utilities_note": ("изградени: електро-, водопроводна, канализационна, газова и оптична мрежа "
                           "във вътрешните улици; точки на присъединяване на уличната граница на имота "
                           "(точните точки – по условията за присъединяване на експлоатационните дружества)"),
        "utilities_note_en": ("built: power, water, sewer, gas and fibre mains in the internal streets; "
                           "connection points at the plot's street frontage (exact points per the "
                           "utility companies' connection conditions)"),
        "pup_ref": "ПУП-ПРЗ за ИЗ „Загоре“ – Етап 1, гр. Стара Загора (№ и дата на заповедта: не са публикувани)",
    },
    2: {
        "settlement": "с. Еленино",
        "zoning": "Пп",
        "zoning_name": "предимно производствена",
        "zoning_name_en": "predominantly production",
        "max_density_pct": 60,
        "max_intensity": 2.0,
        "min_greenery_pct": 20,
        "max_height_m": 20,
        "permitted_use": "производствени и складови дейности (стратегически инвеститори)",
        "permitted_use_en": "manufacturing and warehousing (strategic investors)",
        "has_power": False, "has_water": False, "has_sewer": False, "has_gas": False, "has_fibre": False,
        "utilities_note": ("в проект (пътна карта 2024: проектиране, после строителство): водопровод за "
                           "питейна и промишлена вода, битова канализация с помпена станция, присъединяване "
                           "на всеки УПИ; захранване от планираната подстанция 110/20 kV (нов електропровод "
                           "110 kV, около 7,15 km); газ и оптика не са в публикувания план"),
        "utilities_note_en": ("planned (2024 road map: design, then construction): drinking and industrial "
                           "water mains, domestic sewer with a pumping station, connections for each УПИ; "
                           "power from the planned 110/20 kV substation (new 110 kV line, about 7.15 km); "
                           "gas and fibre not in the published plan"),
        "pup_ref": "ПУП-ПРЗ за ИЗ „Загоре“ – Етап 2, землище с. Еленино (№ и дата на заповедта: не са публикувани)",
    },
}


# Texts shown to a visitor, each in Bulgarian and English (the `_en` twin fields).
PRICE_NOTES = {
    "sold": ("продаден; цената не е публична", "sold; price not public"),
    "lease": ("продажба или наем; цената не е публична, по запитване към Индустриална зона Загоре АД (цени без ДДС)",
              "sale or lease; price not public, on request from Индустриална зона Загоре АД (prices excl. VAT)"),
    "sale": ("цената не е публична; по запитване към Индустриална зона Загоре АД (цени без ДДС)",
             "price not public; on request from Индустриална зона Загоре АД (prices excl. VAT)"),
}
NO_RESTRICTIONS = ("няма известни (не е проверено спрямо ПУП)", "none known (not verified against the ПУП)")
NEAR_RING_ROAD = ("линията на застрояване е отстъпена от околовръстния път I-5 (охранителна зона на пътя); не е проверено",
                  "building line set back from the I-5 ring road (road protection strip); not verified")
POWER_LINE_SERVITUDE = (
    "очаква се планираният въздушен електропровод 110 kV до новата подстанция 110/20 kV да пресече имота: "
    "сервитутна ивица по Наредба № 16/2004, ширина и трасе по проекта на електропровода (трасето не е публично)",
    "the planned 110 kV overhead line to the new 110/20 kV substation is expected to cross the plot: servitude "
    "strip under Наредба № 16/2004, width and route per the line's design (route not public)")
SOLAR_INVESTOR = ("производител на соларни панели и клетки (предварителен договор 2024)",
                  "solar panel and cell manufacturer (preliminary contract 2024)")


def plot_properties(cid, ekatte, upi, upi_no, stage, area, status, access, restrictions, investor):
    """`restrictions` and `investor` are (Bulgarian, English) pairs, investor None when none."""
    r = STAGE_RULES[stage]
    price_note = PRICE_NOTES["sold" if status == "sold" else "lease" if stage == 2 else "sale"]
    return {
        "cadastral_id": cid,
        "ekatte": ekatte,
        "settlement": r["settlement"],
        "upi": upi,
        "upi_no": upi_no,
        "stage": stage,
        "declared_area_m2": area,
        "status": status,
        "zoning": r["zoning"],
        "zoning_name": r["zoning_name"],
        "zoning_name_en": r["zoning_name_en"],
        "max_density_pct": r["max_density_pct"],
        "max_intensity": r["max_intensity"],
        "min_greenery_pct": r["min_greenery_pct"],
        "max_height_m": r["max_height_m"],
        "permitted_use": r["permitted_use"],
        "permitted_use_en": r["permitted_use_en"],
        "has_power": r["has_power"],
        "has_water": r["has_water"],
        "has_sewer": r["has_sewer"],
        "has_gas": r["has_gas"],
        "has_fibre": r["has_fibre"],
        "utilities_note": r["utilities_note"],
        "utilities_note_en": r["utilities_note_en"],
        "access_road": access,
        "price_eur_m2": None,
        "price_note": price_note[0],
        "price_note_en": price_note[1],
        "pup_ref": r["pup_ref"],
        "restrictions": restrictions[0],
        "restrictions_en": restrictions[1],
        "investor": investor and investor[0],
        "investor_en": investor and investor[1],
        "provenance": PROVENANCE,
    }


def feature(fid, properties, geometry):
    return {"type": "Feature", "id": fid, "properties": properties, "geometry": geometry}


def polygon(points):
    return {"type": "Polygon", "coordinates": [ring_ccw(points)]}


def linestring(points):
    return {"type": "LineString", "coordinates": coords(points)}


def point(p):
    return {"type": "Point", "coordinates": [r3(p[0]), r3(p[1])]}


def build_plots(s1, s2):
    features = []
    # Stage 1: 68850.520.101-111; one УПИ per plot, numbered within its block (кв.).
    s1_status = {101: "sold", 102: "sold", 103: "sold", 104: "available", 105: "sold",
                 106: "sold", 107: "sold", 108: "reserved", 109: "sold", 110: "available", 111: "available"}
    s1_access = {101: f"{S1_STREET_A}; път II-66", 106: f"път II-66; {S1_STREET_A}",
                 107: f"{S1_STREET_A}; {S1_STREET_B}", 108: f"{S1_STREET_A}; {S1_STREET_B}"}
    for num in sorted(s1["plots"]):
        ring, area, block, n = s1["plots"][num]
        cid = f"68850.520.{num}"
        props = plot_properties(
            cid, 68850, f"УПИ {ROMAN[n]}-520.{num}, кв. {block}", ROMAN[n], 1, area,
            s1_status[num], s1_access.get(num, S1_STREET_A),
            NO_RESTRICTIONS, None)
        features.append(feature(cid, props, polygon(ring)))

    # Stage 2: seven plots of Elenino in four УПИ.
    upis = {
        "30.17": ("УПИ I-30.17, кв. 2", "I"),
        "33.1": ("УПИ II-33.1, 33.7, кв. 2", "II"),
        "33.7": ("УПИ II-33.1, 33.7, кв. 2", "II"),
        "33.8": ("УПИ III-33.8, 33.50, 33.37, кв. 1", "III"),
        "33.50": ("УПИ III-33.8, 33.50, 33.37, кв. 1", "III"),
        "33.37": ("УПИ III-33.8, 33.50, 33.37, кв. 1", "III"),
        "65.1": ("УПИ IV-65.1, кв. 1", "IV"),
    }
    frontage = f"{S2_FRONTAGE}; околовръстен път I-5"
    access = {"30.17": S2_ACCESS, "33.1": frontage, "33.7": f"{frontage}; {S2_ACCESS}",
              "33.8": f"{frontage}; {S2_ACCESS}", "33.50": frontage, "33.37": frontage,
              "65.1": S2_ACCESS}
    restrictions = {k: NEAR_RING_ROAD for k in ("33.1", "33.7", "33.8", "33.50", "33.37")}
    restrictions["30.17"] = NO_RESTRICTIONS
    restrictions["65.1"] = POWER_LINE_SERVITUDE
    order = ["30.17", "33.1", "33.7", "33.8", "33.50", "33.37", "65.1"]
    for key in order:
        ring, area = s2["plots"][key]
        cid = f"27214.{key}"
        upi, no = upis[key]
        pre = no == "II"
        props = plot_properties(
            cid, 27214, upi, no, 2, area, "pre-contracted" if pre else "available", access[key],
            restrictions[key],
            SOLAR_INVESTOR if pre else None)
        features.append(feature(cid, props, polygon(ring)))
    return features


def node_ring(ring, vertices, tol=0.002):
    """Insert into each edge of `ring` the `vertices` lying on it (within tol metres)."""
    ring = [tuple(p) for p in ring]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    out = [ring[0]]
    for a, b in zip(ring, ring[1:]):
        d = sub(b, a)
        L2 = d[0] ** 2 + d[1] ** 2
        on = []
        for c in vertices:
            t = ((c[0] - a[0]) * d[0] + (c[1] - a[1]) * d[1]) / L2
            if 0 < t < 1 and c != a and c != b and dist(c, lerp(a, b, t)) < tol:
                on.append((t, c))
        out.extend(c for _, c in sorted(on))
        out.append(b)
    return out


def build_stages(plot_features, s1, s2):
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    out = []
    info = {
        1: ("Етап 1", "Stage 1", 115454,
            "Етап 1 на ИЗ „Загоре“ до кв. „Зора“: 11 имота за малки и средни предприятия, изградена инфраструктура; границата е приблизителна.",
            "Stage 1 of Industrial Zone Zagore next to the Zora quarter: 11 plots for SMEs, infrastructure complete; outline approximate."),
        2: ("Етап 2", "Stage 2", 423639,
            "Етап 2 край с. Еленино до околовръстния път: 4 УПИ за стратегически инвеститори, довеждаща инфраструктура в проект; за един имот има проект за вертикална планировка; границата е приблизителна.",
            "Stage 2 near Elenino on the ring road: 4 regulated plots (УПИ) for strategic investors, supply infrastructure being designed; a vertical-levelling design exists for one plot; outline approximate."),
    }
    for stage, layout in ((1, s1), (2, s2)):
        rings = [f["geometry"]["coordinates"][0] for f in plot_features if f["properties"]["stage"] == stage]
        vertices = sorted({tuple(p) for r in rings for p in r})
        parts = [Polygon(r) for r in rings]
        # The street strips get every plot vertex lying on their edges, so that the union
        # is noded exactly (no sub-millimetre slivers from the rounding).
        parts += [Polygon(node_ring(coords(s), vertices)) for s in layout["strips"]]
        union = unary_union(parts)
        if union.geom_type != "Polygon" or len(union.interiors):
            raise SystemExit(f"stage {stage}: the plots and streets do not form one polygon without holes")
        name, name_en, area, desc, desc_en = info[stage]
        props = {"stage": stage, "name": name, "name_en": name_en, "area_declared_m2": area,
                 "description": desc, "description_en": desc_en, "provenance": PROVENANCE}
        ring = [(x, y) for x, y in union.exterior.coords]
        out.append(feature(f"stage-{stage}", props, polygon(ring)))
    return out


def road(fid, cls, ref, name, name_en, oneway, speed, points, note=None):
    props = {"class": cls, "ref": ref, "name": name, "name_en": name_en, "oneway": oneway,
             "maxspeed_kmh": speed,
             "provenance": note or "approximate; vertices between the published waypoints are designed, not surveyed"}
    return feature(fid, props, linestring(points))


def build_roads(s1, s2):
    # --- A1 through its waypoints, smooth, a vertex about every 500 m; ramp nodes 500 m either
    # side of the interchange.
    a1 = catmull_rom(A1_WAYPOINTS, 500.0)
    s_ic = arc_positions(a1)[a1.index(IC)]
    a1_w = point_at(a1, s_ic - 500.0)
    a1_e = point_at(a1, s_ic + 500.0)
    a1 = insert_vertices(a1, set(A1_WAYPOINTS), [a1_w, a1_e], 150.0)

    # --- I-5: ring road north -> south to the interchange; I-5 continues south to Haskovo.
    down = unit(sub(IC, J_II66_W))  # direction of the ring road's southern section
    n1 = add(IC, mul(down, -150.0))  # ramp terminal north of the A1
    s1t = add(IC, mul(down, 150.0))  # ramp terminal south of the A1
    rr_waypoints = [J_II66_NE, RR_MID, J_II57, J_II66_W, IC]
    ring_road = densify(rr_waypoints, 500.0)
    ring_road = insert_vertices(ring_road, set(rr_waypoints),
                                [s2["points"]["ring_north"], s2["points"]["ring_south"], n1], 100.0)
    i5_south = [IC, s1t, add(IC, mul(down, 700.0)), add(IC, (-150.0, -1500.0)), add(IC, (-450.0, -2300.0))]

    # --- Interchange ramps (diamond; right-hand traffic): eastbound uses the south side.
    a_axis = unit(sub(a1_e, a1_w))
    b_axis = (-a_axis[1], a_axis[0])  # to the left of eastbound, i.e. north

    def local(a, b):
        return add(IC, add(mul(a_axis, a), mul(b_axis, b)))

    ramps = [
        ("a1-ramp-eb-off", "изход от АМ „Тракия“ (посока Бургас) към I-5", "A1 eastbound exit to I-5",
         bezier(a1_w, local(-220.0, -40.0), s1t, 8)),
        ("a1-ramp-eb-on", "вход от I-5 към АМ „Тракия“ (посока Бургас)", "I-5 to A1 eastbound entry",
         bezier(s1t, local(220.0, -40.0), a1_e, 8)),
        ("a1-ramp-wb-off", "изход от АМ „Тракия“ (посока София) към I-5", "A1 westbound exit to I-5",
         bezier(a1_e, local(220.0, 40.0), n1, 8)),
        ("a1-ramp-wb-on", "вход от I-5 към АМ „Тракия“ (посока София)", "I-5 to A1 westbound entry",
         bezier(n1, local(-220.0, 40.0), a1_w, 8)),
    ]

    # --- II-66 eastwards to Nova Zagora, past Stage 1 (street A joins it).
    jx, jy = J_II66_NE
    s1a = s1["points"]["street_a_start"]
    ii66_east = catmull_rom([J_II66_NE, s1a, (jx + 750.0, jy), (jx + 1500.0, jy + 120.0),
                             (jx + 3500.0, jy + 600.0), (jx + 6000.0, jy + 1250.0)], 500.0)
    # --- stubs westwards into the city
    x57, y57 = J_II57
    ii57 = [J_II57, (x57 - 600.0, y57 + 150.0), (x57 - 1300.0, y57 + 350.0)]
    xw, yw = J_II66_W
    ii66_west = [J_II66_W, (xw - 600.0, yw + 60.0), (xw - 1200.0, yw + 180.0)]
    zora = [J_II66_NE, (jx - 400.0, jy + 30.0), (jx - 800.0, jy + 40.0)]

    p1, p2 = s1["points"], s2["points"]
    street_a = [p1["street_a_start"], p1["street_b_node"], p1["street_a_end"]]
    street_b = [p1["street_b_node"], p1["street_b_end"]]
    frontage = [p2["ring_north"], p2["frontage_north"], p2["frontage_node"], p2["frontage_south"], p2["ring_south"]]
    access = [p2["frontage_node"], p2["access_mid"], p2["access_end"]]

    designed = "designed layout (approximate); not surveyed"
    feats = [
        road("a1-main-1", "motorway", "A1", "АМ „Тракия“", "Trakia motorway", False, 140, a1,
             "OSM-derived waypoints, smoothed; a vertex about every 500 m; carriageways drawn as one line"),
        road("ring-road-1", "ring_road", "I-5", "Околовръстен път (I-5)", "Stara Zagora eastern bypass (I-5/E85)",
             False, 90, ring_road, "OSM-derived waypoints joined by straight segments; approximate"),
        road("i5-south-1", "primary", "I-5", "Път I-5 (към Хасково)", "Road I-5 towards Haskovo", False, 90,
             i5_south, "short stub south of the interchange; approximate"),
    ]
    for fid, name, name_en, pts in ramps:
        feats.append(road(fid, "ramp", "", f"пътен възел „Стара Загора“: {name}",
                          f"Stara Zagora interchange: {name_en}", True, 60, pts,
                          "diamond layout designed for the network; the real interchange's ramps differ"))
    feats += [
        road("ii66-east-1", "primary", "II-66", "Път II-66 (към Нова Загора)", "Road II-66 towards Nova Zagora",
             False, 90, ii66_east),
        road("ii66-west-1", "primary", "II-66", "Път II-66 (към Чирпан)", "Road II-66 towards Chirpan (city entry)",
             False, 50, ii66_west, "stub into the city; approximate"),
        road("ii57-1", "primary", "II-57", "Път II-57", "Road II-57 (city entry)", False, 50, ii57,
             "stub into the city; approximate"),
        road("zora-street-1", "local", "", "улица към кв. „Зора“", "street to the Zora quarter", False, 50, zora,
             "approximate; street name not verified"),
        road("s1-street-a", "local", "", S1_STREET_A, "internal street A (Stage 1)", False, 30, street_a, designed),
        road("s1-street-b", "local", "", S1_STREET_B, "internal street B (Stage 1)", False, 30, street_b, designed),
        road("s2-service-1", "service", "", S2_FRONTAGE, "local service road (Stage 2, to be reconstructed)",
             False, 40, frontage, designed),
        road("s2-service-2", "service", "", S2_ACCESS, "internal access road (Stage 2, planned)", False, 30,
             access, designed),
    ]
    return feats


def build_rail():
    sw = catmull_rom([ST_STARA_ZAGORA, (510520.0, 4696300.0), (510560.0, 4694300.0), (510380.0, 4692600.0),
                      (509700.0, 4690600.0), (508400.0, 4688200.0), ST_KALOYANOVETS, (504300.0, 4682600.0),
                      ST_MIHAYLOVO], 500.0)
    east = catmull_rom([ST_STARA_ZAGORA, (512000.0, 4697900.0), (514300.0, 4698100.0), (516800.0, 4698400.0),
                        ST_KALITINOVO, (521500.0, 4699000.0)], 500.0)
    note = "approximate: stations from public positions, the track between them designed; not surveyed"
    return [
        feature("rail-sz-mihaylovo-1", {
            "name": "жп линия Стара Загора – Калояновец – Михайлово",
            "name_en": "Stara Zagora – Kaloyanovets – Mihaylovo railway",
            "ref": "4", "usage": "main", "electrified": True,
            "provenance": note + "; line 4 (Ruse – Podkova), shared here with the Plovdiv – Burgas line",
        }, linestring(sw)),
        feature("rail-sz-kalitinovo-1", {
            "name": "жп линия София – Бургас (Стара Загора – Калитиново)",
            "name_en": "Sofia – Burgas railway (Stara Zagora – Kalitinovo section)",
            "ref": "8", "usage": "main", "electrified": True,
            "provenance": note + "; line 8 (Plovdiv – Burgas)",
        }, linestring(east)),
    ]


# Places a visitor from abroad needs to read the map by (issue 16): the town, the quarter
# Stage 1 borders and the village Stage 2 lies by; positions from docs/geodata-facts.md.
PLACES = [
    ("place-stara-zagora", "town", "Стара Загора", "Stara Zagora", "city centre (EKATTE 68850)",
     (42.4258, 25.6345)),
    ("place-zora", "quarter", "кв. „Зора“", "Zora quarter", "quarter on the city's eastern edge, inside the bypass",
     (42.4300, 25.6675)),
    ("place-elenino", "village", "с. Еленино", "Elenino", "village (EKATTE 27214), west of Stage 2",
     (42.3668, 25.6053)),
]


def build_poi(s1, s2, stages):
    """The points of interest, the place names and one label point per stage (at the pole
    of inaccessibility of its outline, so the label sits inside it at any zoom)."""
    from shapely.geometry import Polygon
    from shapely.ops import polylabel

    approx = "approximate position"

    def poi(fid, kind, name, name_en, description, p, extra=None):
        props = {"kind": kind, "name": name, "name_en": name_en, "description": description}
        props.update(extra or {})
        props["provenance"] = approx
        return feature(fid, props, point(p))

    return [
        poi("poi-interchange", "interchange", "пътен възел „Стара Загора“", "Stara Zagora interchange",
            "A1 Trakia motorway x I-5/E85, about km 208-209 (km 208.5 approximate); OSM-derived position",
            IC, {"motorway_km": 208.5}),
        poi("poi-station-stara-zagora", "station", "гара Стара Загора", "Stara Zagora station",
            "railway station; position approximate", ST_STARA_ZAGORA),
        poi("poi-station-kaloyanovets", "station", "гара Калояновец", "Kaloyanovets station",
            "railway station on the line to Mihaylovo; position approximate", ST_KALOYANOVETS),
        poi("poi-station-kalitinovo", "station", "гара Калитиново", "Kalitinovo station",
            "railway station on the line to Burgas; position approximate", ST_KALITINOVO),
        poi("poi-substation-stage2", "substation", "подстанция 110/20 kV (проект)", "110/20 kV substation (planned)",
            "planned substation for Stage 2, fed by a new 110 kV line of about 7.15 km; site not public, marker placed south-west of the stage",
            s2["points"]["substation"]),
        poi("poi-parking-stage1", "parking", "паркинг за товарни автомобили (Етап 1)", "truck parking (Stage 1)",
            "truck parking, built with the Stage 1 infrastructure (EV chargers not stated in the public profile); marker position approximate",
            s1["points"]["parking"]),
        poi("poi-parking-stage2", "parking", "паркинг за леки и товарни автомобили със зарядни станции (Етап 2, проект)",
            "car and truck parking with EV charging stations (Stage 2, planned)",
            "planned with the Stage 2 supply infrastructure; not yet designed, marker placed at the frontage road",
            s2["points"]["parking"]),
    ] + [
        poi(fid, kind, name, name_en, description, grid(*latlon)) for fid, kind, name, name_en, description, latlon in PLACES
    ] + [
        poi(f"label-{f['id']}", "stage", f"ИЗ „Загоре“ – {f['properties']['name']}",
            f"Zagore Industrial Zone – {f['properties']['name_en']}",
            "label point of the stage's outline (its pole of inaccessibility)",
            (lambda q: (q.x, q.y))(polylabel(Polygon(f["geometry"]["coordinates"][0]), tolerance=0.5)))
        for f in stages
    ]


UTILITIES_PROVENANCE = ("digitised approximately from the zone profile's description of the planned supply "
                        "infrastructure (идеен проект); not surveyed, routes and positions not public")


def offset_line(points, d):
    """The polyline moved d metres to the right of its direction (per-vertex mean normal)."""
    out = []
    for i, p in enumerate(points):
        nx = ny = 0.0
        for j in (i - 1, i):
            if 0 <= j < len(points) - 1:
                (x1, y1), (x2, y2) = points[j], points[j + 1]
                length = math.hypot(x2 - x1, y2 - y1)
                nx += (y2 - y1) / length
                ny += -(x2 - x1) / length
        norm = math.hypot(nx, ny) or 1.0
        out.append((p[0] + d * nx / norm, p[1] + d * ny / norm))
    return out


def build_utilities(roads, poi):
    """Stage 2's planned supply infrastructure (the zone profile's idea project): the water
    mains and the sewer beside the frontage road and the internal access road, the sewage
    pumping station at the sewer's low south-east end, the 110/20 kV substation where the
    points of interest have it and its 7.15 km 110 kV line (route not public: drawn from the
    north-west to the stated length), and the parking with EV chargers around its point of
    interest. Every feature is approximate."""
    line_of = {f["id"]: [tuple(c) for c in f["geometry"]["coordinates"]] for f in roads}
    point_of = {f["id"]: tuple(f["geometry"]["coordinates"]) for f in poi}
    frontage, access = line_of["s2-service-1"], line_of["s2-service-2"]
    junction = frontage.index(access[0])
    # North from the city network, down the frontage road to the junction, west along the access road.
    spine = [(frontage[0][0] + 3.0, frontage[0][1] + 330.0)] + frontage[:junction + 1] + access[1:]

    def utility(fid, kind, name, name_en, description, geometry, extra=None):
        props = {"kind": kind, "name": name, "name_en": name_en, "status": "planned", "stage": 2,
                 "approximate": True, "description": description}
        props.update(extra or {})
        props["provenance"] = UTILITIES_PROVENANCE
        return feature(fid, props, geometry)

    # The sewer runs east along the access road and south along the frontage road (20 m to the
    # right of that path: south of the one, west of the other, clear of the water mains), down
    # to the pumping station at its low south-east end.
    sewer = offset_line(list(reversed(access)) + frontage[junction + 1:-1], 20.0)
    pumping = (sewer[-1][0], sewer[-1][1] - 25.0)
    sewer.append(pumping)
    substation = point_of["poi-substation-stage2"]
    # The 110 kV line: west, then north-west, the last leg stretched to make 7.15 km.
    line = [substation, (511400.0, 4692600.0), (509800.0, 4693700.0), (508200.0, 4695100.0)]
    before = sum(dist(line[i], line[i + 1]) for i in range(len(line) - 2))
    line[-1] = lerp(line[-2], line[-1], (7150.0 - before) / dist(line[-2], line[-1]))
    px, py = point_of["poi-parking-stage2"]
    parking = [(px - 45.0, py - 30.0), (px + 45.0, py - 30.0), (px + 45.0, py + 30.0), (px - 45.0, py + 30.0)]
    return [
        utility("water-drinking-s2", "water_main", "питеен водопровод (Етап 2, проект)",
                "drinking water main (Stage 2, planned)",
                "supply main along the frontage road and the internal access road, with a connection to each УПИ",
                linestring(offset_line(spine, 8.0))),
        utility("water-industrial-s2", "water_main", "промишлен водопровод (Етап 2, проект)",
                "industrial water main (Stage 2, planned)",
                "industrial (process) water main beside the drinking water main",
                linestring(offset_line(spine, 14.0))),
        utility("sewer-s2", "sewer", "битова канализация (Етап 2, проект)", "sewer (Stage 2, planned)",
                "gravity sewer collecting along the access road and the frontage road down to the pumping station",
                linestring(sewer)),
        utility("pumping-station-s2", "pumping_station", "канална помпена станция (Етап 2, проект)",
                "sewage pumping station (Stage 2, planned)",
                "sewage pumping station at the low south-east end of the stage's sewer", point(pumping)),
        utility("substation-110-20-s2", "substation", "подстанция 110/20 kV (проект)",
                "110/20 kV substation (planned)",
                "planned substation for Stage 2; site not public, placed south-west of the stage as in the points of interest",
                point(substation), {"voltage_kv": "110/20"}),
        utility("line-110kv-s2", "power_line", "електропровод 110 kV (проект)", "110 kV power line (planned)",
                "new 110 kV line of about 7.15 km feeding the planned substation; its route is not public: drawn to the stated length from the north-west",
                linestring(list(reversed(line))), {"voltage_kv": "110", "length_km_declared": 7.15}),
        utility("parking-ev-s2", "parking",
                "паркинг за леки и тежкотоварни автомобили със зарядни станции (Етап 2, проект)",
                "car and truck parking with EV charging stations (Stage 2, planned)",
                "planned with the supply infrastructure; not yet designed, outline placed at the frontage road around the parking point of interest",
                polygon(parking), {"ev_chargers": True}),
    ]


def write_layer(name, features):
    path = os.path.join(OUT_DIR, f"{name}.geojson")
    lines = [
        "{",
        '"type": "FeatureCollection",',
        f'"name": "{name}",',
        '"crs": { "type": "name", "properties": { "name": "' + CRS_URN + '" } },',
        '"features": [',
    ]
    body = [json.dumps(f, ensure_ascii=False) for f in features]
    lines.append(",\n".join(body))
    lines += ["]", "}"]
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def main():
    s1 = stage1_layout()
    s2 = stage2_layout()
    plots = build_plots(s1, s2)
    stages = build_stages(plots, s1, s2)
    roads = build_roads(s1, s2)
    rail = build_rail()
    poi = build_poi(s1, s2, stages)
    utilities = build_utilities(roads, poi)
    os.makedirs(OUT_DIR, exist_ok=True)
    layers = (("plots", plots), ("stages", stages), ("roads", roads), ("rail", rail), ("poi", poi),
              ("utilities", utilities))
    for name, feats in layers:
        print("wrote", os.path.relpath(write_layer(name, feats), ROOT))
    if "--no-check" not in sys.argv:
        sys.path.insert(0, HERE)
        sys.dont_write_bytecode = True  # no __pycache__ next to the committed scripts
        import check_geodata
        return check_geodata.main([OUT_DIR])
    return 0


if __name__ == "__main__":
    sys.exit(main())
