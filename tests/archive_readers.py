"""Reads the archives `zagore export` wrote with readers that share nothing with ours, and
checks them against the live server (scripts/archive-readers.sh runs it):

- PMTiles with the `pmtiles` package (the format's reference Python reader) and MBTiles with
  Python's own sqlite3: every stored tile, decompressed, is byte for byte the tile the server
  sends for that address; every non-empty tile the server has at z0-z14 over the archive's
  bounds is in the archive; the metadata names the server's TileJSON vector layers, zooms
  and bounds;
- both with GDAL (pyogrio's bundled GDAL, which has the PMTiles driver): the layers are
  listed and the plots layer at the top zoom holds exactly the API's plot identifiers.

usage: archive_readers.py BASE_URL ARCHIVE.pmtiles ARCHIVE.mbtiles
"""
import gzip
import json
import math
import sqlite3
import sys
import urllib.error
import urllib.request

from pmtiles.reader import MmapSource, Reader, all_tiles
import pyogrio

base, pmtiles_path, mbtiles_path = sys.argv[1:4]
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAIL:", message)


def get(path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def served(z, x, y):
    status, body = get(f"/tiles/{z}/{x}/{y}.mvt")
    if status == 204:
        return b""
    assert status == 200, (z, x, y, status)
    return body


def tile_range(z, bounds):
    w, s, e, n = bounds
    def xy(lon, lat):
        k = 2 ** z
        lat = max(min(lat, 85.0511), -85.0511)
        x = (lon + 180) / 360 * k
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * k
        return int(x), int(y)
    (x0, y0), (x1, y1) = xy(w, n), xy(e, s)
    last = 2 ** z - 1
    for y in range(max(y0 - 1, 0), min(y1 + 1, last) + 1):
        for x in range(max(x0 - 1, 0), min(x1 + 1, last) + 1):
            yield x, y


tilejson = json.loads(get("/tiles.json")[1])
layer_ids = sorted(l["id"] for l in tilejson["vector_layers"])


def compare(name, stored, minzoom, maxzoom, bounds):
    print(f"== {name}: {len(stored)} tiles, z{minzoom}-z{maxzoom}")
    check(len(stored) > 0, f"{name}: no tiles")
    for (z, x, y), data in sorted(stored.items()):
        live = served(z, x, y)
        check(gzip.decompress(data) == live, f"{name}: tile {z}/{x}/{y} differs from the server's")
    for z in range(minzoom, min(maxzoom, 14) + 1):
        for x, y in tile_range(z, bounds):
            if (z, x, y) not in stored:
                check(served(z, x, y) == b"", f"{name}: the server has {z}/{x}/{y}, the archive does not")


# --- PMTiles, with the pmtiles package ---
with open(pmtiles_path, "rb") as f:
    reader = Reader(MmapSource(f))
    header = reader.header()
    metadata = reader.metadata()
    stored = {(z, x, y): data for (z, x, y), data in all_tiles(reader.get_bytes)}
check(header["tile_type"].name == "MVT", f"pmtiles: tile type {header['tile_type']}")
check(header["tile_compression"].name == "GZIP", f"pmtiles: compression {header['tile_compression']}")
check(sorted(l["id"] for l in metadata["vector_layers"]) == layer_ids, "pmtiles: vector_layers")
check(metadata.get("attribution") == tilejson.get("attribution"), "pmtiles: attribution")
pm_bounds = [header["min_lon_e7"] / 1e7, header["min_lat_e7"] / 1e7, header["max_lon_e7"] / 1e7, header["max_lat_e7"] / 1e7]
check(all(abs(a - b) < 1e-6 for a, b in zip(pm_bounds, tilejson["bounds"])), f"pmtiles: bounds {pm_bounds}")
compare("pmtiles", stored, header["min_zoom"], header["max_zoom"], pm_bounds)
pm_max = header["max_zoom"]

# --- MBTiles, with sqlite3 ---
db = sqlite3.connect(mbtiles_path)
meta = dict(db.execute("SELECT name, value FROM metadata"))
check(meta.get("format") == "pbf", f"mbtiles: format {meta.get('format')}")
check(sorted(l["id"] for l in json.loads(meta["json"])["vector_layers"]) == layer_ids, "mbtiles: vector_layers")
stored = {}
for z, col, row, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
    stored[(z, col, 2 ** z - 1 - row)] = data  # TMS rows count from the south
mb_bounds = [float(v) for v in meta["bounds"].split(",")]
compare("mbtiles", stored, int(meta["minzoom"]), int(meta["maxzoom"]), mb_bounds)
mb_max = int(meta["maxzoom"])

# --- both with GDAL ---
status, body = get("/collections/plots/items?limit=1000")
api_ids = sorted(f["id"] for f in json.loads(body)["features"])
for name, path in (("pmtiles", pmtiles_path), ("mbtiles", mbtiles_path)):
    layers = sorted(str(l[0]) for l in pyogrio.list_layers(path))
    print(f"== GDAL {pyogrio.__gdal_version_string__} {name}: layers {layers}")
    check(set(layer_ids) <= set(layers), f"GDAL {name}: layers {layers}")
    _, _, geometry, fields = pyogrio.raw.read(path, layer="plots", columns=["cadastral_id"])
    ids = sorted(set(str(v) for v in fields[0]))
    check(ids == api_ids, f"GDAL {name}: plot ids {ids} != the API's {api_ids}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("archives: every check passed")
