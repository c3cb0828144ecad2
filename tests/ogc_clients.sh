#!/usr/bin/env bash
# Checks that common OGC API – Features clients work with a running zagore server:
#   - GDAL's OAPIF driver (ogrinfo): lists the collections, reads every plot, sends
#     attribute filters to the server;
#   - OWSLib's Features client: lists and queries the collections (bbox, properties, CQL2);
#   - the OpenAPI document validates (openapi-spec-validator);
#   - if pyogrio is installed (its wheel bundles GDAL >= 3.7, which implements OGC API –
#     Features Part 2): reads the plots in their storage CRS EPSG:7801 and checks them against
#     geodata/plots.geojson to the millimetre, and a bbox in EPSG:7801.
#
# Needs: gdal-bin (ogrinfo), python3 with OWSLib and openapi-spec-validator
#   apt-get install -y gdal-bin && pip install OWSLib openapi-spec-validator [pyogrio shapely]
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

if python3 -c 'import pyogrio, shapely' 2>/dev/null; then
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
else
  echo "== (pyogrio not installed: the GDAL >= 3.7 Part 2 check is skipped)"
fi
echo "OK: all client checks passed"
