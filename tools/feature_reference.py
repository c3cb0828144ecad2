#!/usr/bin/env python3
"""Reference values for the feature API's CRS tests, computed by PROJ's own `cs2cs`
(Debian package proj-bin), independently of the service's code.

Writes, from geodata/plots.geojson (EPSG:7801, easting first):
  tests/data/cs2cs_plot_vertices.tsv   every plot vertex in EPSG:4326, 3857, 32635 and 3035
  tests/data/cs2cs_plot_centroids.tsv  every plot's centroid (planar, in EPSG:7801) in EPSG:4326

cs2cs reads and writes coordinates in each CRS's authority axis order (EPSG:7801 and 3035:
northing first; EPSG:4326: latitude first; EPSG:3857 and 32635: easting first), which is
the order OGC API - Features Part 2 asks the service to write them in, so the tests compare
the served coordinates with these columns directly.

Run from the repository root: python3 tools/feature_reference.py
"""
import json
import subprocess

TARGETS = ["EPSG:4326", "EPSG:3857", "EPSG:32635", "EPSG:3035"]


def cs2cs(target, points_ne):
    """Transforms (northing, easting) EPSG:7801 points; returns pairs in target's axis order."""
    text = "".join(f"{n:.3f} {e:.3f}\n" for n, e in points_ne)
    fmt = "%.10f" if target == "EPSG:4326" else "%.4f"
    out = subprocess.run(["cs2cs", "-f", fmt, "EPSG:7801", target], input=text,
                         capture_output=True, text=True, check=True).stdout
    return [tuple(line.split()[:2]) for line in out.strip().splitlines()]


def planar_centroid(ring):
    """Centroid of a polygon ring (shoelace formula), in the ring's own plane."""
    a = cx = cy = 0.0
    x0, y0 = ring[0]
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        # Relative to the first vertex, to keep the products small and exact enough.
        x1, y1, x2, y2 = x1 - x0, y1 - y0, x2 - x0, y2 - y0
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return x0 + cx / (3 * a), y0 + cy / (3 * a)


def main():
    with open("geodata/plots.geojson", encoding="utf-8") as f:
        plots = json.load(f)["features"]
    rows = []
    for plot in plots:
        geom = plot["geometry"]
        assert geom["type"] == "Polygon" and len(geom["coordinates"]) == 1
        for i, (e, n) in enumerate(geom["coordinates"][0]):
            rows.append((plot["id"], i, e, n))
    columns = {t: cs2cs(t, [(n, e) for _, _, e, n in rows]) for t in TARGETS}
    version = subprocess.run(["cs2cs"], capture_output=True, text=True).stderr.splitlines()[0]
    with open("tests/data/cs2cs_plot_vertices.tsv", "w", encoding="utf-8") as out:
        out.write(f"# Plot vertices reprojected by cs2cs ({' '.join(version.split())}); made by tools/feature_reference.py\n")
        out.write("# Each CRS's pair is in its authority axis order, as cs2cs prints it.\n")
        out.write("# id\tvertex\te_7801\tn_7801\tlat_4326\tlon_4326\tx_3857\ty_3857\te_32635\tn_32635\tn_3035\te_3035\n")
        for k, (pid, i, e, n) in enumerate(rows):
            pairs = "\t".join("\t".join(columns[t][k]) for t in TARGETS)
            out.write(f"{pid}\t{i}\t{e}\t{n}\t{pairs}\n")
    centroids = [(p["id"], planar_centroid(p["geometry"]["coordinates"][0])) for p in plots]
    latlon = cs2cs("EPSG:4326", [(c[1], c[0]) for _, c in centroids])
    with open("tests/data/cs2cs_plot_centroids.tsv", "w", encoding="utf-8") as out:
        out.write(f"# Plot centroids (planar, in EPSG:7801) reprojected by cs2cs ({' '.join(version.split())}); made by tools/feature_reference.py\n")
        out.write("# id\te_7801\tn_7801\tlat_4326\tlon_4326\n")
        for (pid, (e, n)), (lat, lon) in zip(centroids, latlon):
            out.write(f"{pid}\t{e:.4f}\t{n:.4f}\t{lat}\t{lon}\n")
    print(f"wrote {len(rows)} vertices and {len(centroids)} centroids")


if __name__ == "__main__":
    main()
