#!/usr/bin/env bash
# Checks that common OGC API – Features clients work with a running zagore server:
#   - GDAL's OAPIF driver (ogrinfo): lists the collections, reads every plot, sends
#     attribute filters to the server;
#   - OWSLib's Features client: lists and queries the collections (bbox, properties, CQL2);
#   - the OpenAPI document validates (openapi-spec-validator);
#   - pyogrio (its wheel bundles GDAL >= 3.7, which implements OGC API – Features Part 2 and
#     OGC API – Tiles 1.0): reads the plots in their storage CRS EPSG:7801 and checks them
#     against geodata/plots.geojson to the millimetre, and a bbox in EPSG:7801; then lists
#     every collection's vector tilesets and reads a tile matrix of each collection's tiles.
#
# Needs: gdal-bin (ogrinfo), python3 with OWSLib and openapi-spec-validator
#   apt-get install -y gdal-bin && pip install OWSLib openapi-spec-validator pyogrio shapely
# Usage (from the repository root, with the server running):
#   bash tests/ogc_clients.sh [http://127.0.0.1:8080]
set -euo pipefail
url="${1:-http://127.0.0.1:8080}"
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== GDAL $(ogrinfo --version | cut -d, -f1 | cut -d' ' -f2): ogrinfo OAPIF:$url"
layers=$(ogrinfo -ro -q "OAPIF:$url" | sed -n 's/^[0-9]*: \([a-z]*\) .*/\1/p' | sort | tr '\n' ' ')
[ "$layers" = "plots poi rail roads stages utilities " ] || fail "collections listed: $layers"
echo "collections: $layers"
ids=$(ogrinfo -ro "OAPIF:$url" plots | sed -n 's/^  cadastral_id (String) = //p' | sort -u)
want=$(python3 -c 'import json; print("\n".join(sorted(f["id"] for f in json.load(open("geodata/plots.geojson"))["features"])))')
[ "$ids" = "$want" ] || fail "ogrinfo read plots: $(echo "$ids" | wc -l), expected $(echo "$want" | wc -l)"
echo "plots read: $(echo "$ids" | wc -l) (every plot in geodata/plots.geojson)"
avail=$(ogrinfo -ro "OAPIF:$url" plots -where "status = 'available' AND stage = 2" | grep -c '^OGRFeature' || true)
want_avail=$(python3 -c 'import json; print(sum(1 for f in json.load(open("geodata/plots.geojson"))["features"] if f["properties"]["status"] == "available" and f["properties"]["stage"] == 2))')
[ "$avail" = "$want_avail" ] || fail "-where status/stage: $avail, expected $want_avail"
echo "available plots of stage 2: $avail"

echo "== OWSLib"
python3 - "$url" <<'PY'
import json, sys
from owslib.ogcapi.features import Features
url = sys.argv[1]
api = Features(url)
ids = sorted(c["id"] for c in api.collections()["collections"])
assert ids == ["plots", "poi", "rail", "roads", "stages", "utilities"], ids
print("collections:", ", ".join(ids))
source = json.load(open("geodata/plots.geojson"))["features"]
seen, offset = [], 0
while True:
    page = api.collection_items("plots", limit=5, offset=offset)
    seen += [f["id"] for f in page["features"]]
    if not any(l["rel"] == "next" for l in page["links"]):
        break
    offset += page["numberReturned"]
assert sorted(seen) == sorted(f["id"] for f in source), seen
print("plots paged 5 at a time:", len(seen))
queryables = api.collection_queryables("plots")["properties"]
assert queryables["stage"]["type"] == "integer" and queryables["has_power"]["type"] == "boolean"
sold = api.collection_items("plots", status="sold", limit=100)
want = [f["id"] for f in source if f["properties"]["status"] == "sold"]
assert sorted(f["id"] for f in sold["features"]) == sorted(want)
print("status=sold:", sold["numberMatched"])
box = api.collection_items("plots", bbox=[25.640, 42.360, 25.660, 42.380], limit=100)
assert sorted(f["id"] for f in box["features"]) == sorted(f["id"] for f in source if f["properties"]["stage"] == 2)
print("bbox around Stage 2:", box["numberMatched"])
# A CQL2 filter (Part 3), as OWSLib sends it: `filter=` in the query, CQL2 text by default.
cql = "declared_area_m2 > 20000 AND status = 'available'"
hits = api.collection_items("plots", filter=cql, limit=100)
want = [f["id"] for f in source if f["properties"]["declared_area_m2"] > 20000 and f["properties"]["status"] == "available"]
assert want and sorted(f["id"] for f in hits["features"]) == sorted(want), (hits.get("numberMatched"), want)
print("filter=" + cql + ":", hits["numberMatched"])
near = api.collection_items("plots", filter="S_INTERSECTS(geometry, BBOX(25.640, 42.360, 25.660, 42.380))", limit=100)
assert sorted(f["id"] for f in near["features"]) == sorted(f["id"] for f in source if f["properties"]["stage"] == 2)
print("filter=S_INTERSECTS(geometry, BBOX(…)) around Stage 2:", near["numberMatched"])
one = api.collection_item("plots", "27214.33.1")
print("27214.33.1:", one["properties"]["upi"], one["properties"]["area_m2"], "m²")
PY

echo "== OpenAPI document"
tmp=$(mktemp --suffix=.json)
trap 'rm -f "$tmp"' EXIT
curl -fsS "$url/api" -o "$tmp"
openapi-spec-validator "$tmp" | sed "s|$tmp|$url/api|"

echo "== GDAL $(python3 -c 'import pyogrio; print(pyogrio.__gdal_version_string__)') (pyogrio): Part 2, storage CRS"
  python3 - "$url" <<'PY'
import json, sys
from pyogrio import raw
from shapely import wkb
src = {f["id"]: f["geometry"]["coordinates"][0] for f in json.load(open("geodata/plots.geojson"))["features"]}
oapif = "OAPIF:" + sys.argv[1]
meta, _, geoms, fields = raw.read(oapif, layer="plots")
assert meta["crs"] == "EPSG:7801", meta["crs"]
ids = fields[list(meta["fields"]).index("cadastral_id")]
worst = max(abs(a - b) for g, i in zip(geoms, ids)
            for got, want in zip(wkb.loads(g).exterior.coords, src[i]) for a, b in zip(got, want))
assert worst < 0.001, worst
print(f"plots read in {meta['crs']}: {len(geoms)}, largest difference from the source file: {worst} m")
meta, _, geoms, fields = raw.read(oapif, layer="plots", bbox=(511900, 4692000, 513000, 4693500))
ids = sorted(fields[list(meta["fields"]).index("cadastral_id")])
assert ids == sorted(i for i in src if i.startswith("27214.")), ids
print("bbox in EPSG:7801 around Stage 2:", len(ids))
PY

echo "== GDAL (pyogrio): OGC API – Tiles, every collection's vector tiles"
python3 - "$url" <<'PY'
import json, math, sys, urllib.request
import pyogrio
from pyogrio import raw
base = sys.argv[1]
get = lambda path: json.load(urllib.request.urlopen(base + path))
plots = {f["id"] for f in json.load(open("geodata/plots.geojson"))["features"]}
R = 6378137.0  # the Web Mercator sphere (EPSG:3857's defining formulas)
for c in get("/collections")["collections"]:
    cid = c["id"]
    tileset = get(f"/collections/{cid}/tiles/WebMercatorQuad")
    zooms = [l["tileMatrix"] for l in tileset["tileMatrixSetLimits"]]
    # GDAL's OGCAPI driver compares the collection's CRS84 bbox with the tile matrix set's
    # metres for vector tiles; it takes the extent in the tiles' CRS as open options.
    w, s, e, n = c["extent"]["spatial"]["bbox"][0]
    x = lambda lon: R * math.radians(lon)
    y = lambda lat: R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    oo = dict(API="TILES", MINX=str(x(w)), MINY=str(y(s)), MAXX=str(x(e)), MAXY=str(y(n)))
    url = f"OGCAPI:{base}/collections/{cid}"
    # GDAL makes a layer of each tile matrix within the tileset's limits, and none beyond.
    for z in (zooms[0], zooms[-1]):
        pyogrio.read_info(url, layer=f"Zoom level {z}", **oo)
    try:
        pyogrio.read_info(url, layer=f"Zoom level {int(zooms[-1]) + 1}", **oo)
        raise AssertionError(f"{cid}: a layer past the tileset's limits")
    except pyogrio.errors.DataLayerError:
        pass
    zoom = "14" if "14" in zooms else zooms[-1]
    meta, _, geoms, fields = raw.read(url, layer=f"Zoom level {zoom}", **oo)
    names = list(meta["fields"])
    assert meta["crs"] == "EPSG:3857", (cid, meta["crs"])
    assert len(geoms) > 0, (cid, zoom)
    schema = {k for l in tileset["layers"] for k in l["propertiesSchema"]["properties"]}
    assert set(names) - {"mvt_id"} <= schema, (cid, set(names) - schema)
    if cid == "plots":
        ids = set(fields[names.index("cadastral_id")])
        assert ids == plots, ids ^ plots
    print(f"{cid}: tile matrices {zooms[0]}–{zooms[-1]}, zoom {zoom}: {len(geoms)} features, {len(names)} fields")
PY
echo "OK: all client checks passed"
