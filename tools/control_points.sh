#!/usr/bin/env bash
# Regenerates tests/data/cs2cs_control_points.tsv: reference values for the reprojection
# tests, computed by PROJ's own `cs2cs` (Debian package proj-bin), independently of the
# service's code. Run from the repository root: bash tools/control_points.sh
set -euo pipefail
out=tests/data/cs2cs_control_points.tsv
# Points in EPSG:7801 (easting, northing): the zone, the city, and Bulgaria's corners.
points='511068.1766 4698944.1837
513324.8530 4689351.2765
515620.000 4701790.000
510900.000 4693010.000
500000.000 4725824.3591
330000.000 4800000.000
690000.000 4640000.000
420000.000 4580000.000
600000.000 4850000.000'
{
  echo "# Reference reprojections computed with: $(cs2cs 2>&1 | head -1 | tr -s ' ')"
  echo "# Command: bash tools/control_points.sh (cs2cs -f %.10f EPSG:7801 EPSG:4326 | EPSG:3857 | EPSG:32635)"
  echo "# Input axis order for cs2cs is the authority's (northing, easting); columns here are easting-first."
  printf '# e_7801\tn_7801\tlon\tlat\tx_3857\ty_3857\te_32635\tn_32635\n'
  while read -r e n; do
    ll=$(echo "$n $e" | cs2cs -f %.10f EPSG:7801 EPSG:4326)
    lat=$(echo "$ll" | awk '{print $1}'); lon=$(echo "$ll" | awk '{print $2}')
    merc=$(echo "$n $e" | cs2cs -f %.4f EPSG:7801 EPSG:3857 | awk '{print $1"\t"$2}')
    utm=$(echo "$n $e" | cs2cs -f %.4f EPSG:7801 EPSG:32635 | awk '{print $1"\t"$2}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$e" "$n" "$lon" "$lat" "$merc" "$utm"
  done <<< "$points"
} > "$out"
echo "wrote $out"
