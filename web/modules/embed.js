// The "Embed" panel: the snippet a web developer pastes into their own page to draw the zone
// on their MapLibre map (classic script or module, their map loaded or not), and the iframe.
import { $ } from "./dom.js";

/// The snippet, for the service at `origin`. No top-level await (a SyntaxError in a classic
/// script); `isStyleLoaded()` is false while tiles load too, so it waits for `idle`, which
/// comes after `load` and after any loading. The style's ids are all `zagore-…`.
export function embedSnippet(origin) {
  return `// Industrial Zone Zagore on your MapLibre map: after \`const map = new maplibregl.Map({...})\`.
function addZagore(map) {
  fetch("${origin}/style.json")
    .then(function (resp) { return resp.json(); })
    .then(function (zone) {
      function add() {
        if (!map.getStyle().glyphs) map.setGlyphs(zone.glyphs);
        for (var id in zone.sources) if (!map.getSource(id)) map.addSource(id, zone.sources[id]);
        zone.layers.forEach(function (layer) {
          if (layer.type !== "background" && !map.getLayer(layer.id)) map.addLayer(layer);
        });
      }
      if (map.isStyleLoaded()) add();
      else map.once("idle", add);
    });
}
addZagore(map);`;
}

export function renderEmbed() {
  const origin = location.origin;
  $("#embed-maplibre").textContent = embedSnippet(origin);
  $("#embed-iframe").textContent = `<iframe src="${origin}/map" width="100%" height="600" style="border:0" title="Industrial Zone Zagore"></iframe>`;
}
