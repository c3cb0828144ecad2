// A visitor from abroad (issue 16): the places around the zone are named on the map, and
// roads, points of interest and places read in the chosen language.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { artifacts, launchBrowser, openMap, startServer, waitIdle } from "../testing/harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/// The texts MapLibre draws for the labels of these layers in the current view: each placed
/// feature's `text-field` as MapLibre evaluates it.
function drawnLabels(page, layers) {
  return page.evaluate((ids) => {
    const map = window.zagore.map;
    return map.queryRenderedFeatures({ layers: ids }).map((f) => {
      const value = map.getLayer(f.layer.id).layout.get("text-field").evaluate(f, {}, undefined, []);
      const text = typeof value === "string" ? value : (value?.sections || []).map((s) => s.text).join("");
      return { layer: f.layer.id, kind: f.properties.kind, name: f.properties.name, name_en: f.properties.name_en, text };
    });
  }, layers);
}

/// Fits the map to these lon/lat points.
async function fit(page, points, maxZoom = 13) {
  await page.evaluate(([pts, z]) => {
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    window.zagore.map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 60, maxZoom: z, duration: 0 });
  }, [points, maxZoom]);
  await waitIdle(page);
}

test("town, quarter, village and stage names are on the map, and every label follows the language", async () => {
  const places = (await (await fetch(`${server.base}/collections/poi/items?limit=100`)).json()).features
    .filter((f) => ["town", "quarter", "village", "stage"].includes(f.properties.kind));
  assert.ok(places.length >= 5, "the fixture has the place points");
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  await fit(page, places.map((f) => f.geometry.coordinates));
  const english = await drawnLabels(page, ["zagore-place-label"]);
  for (const name of ["Stara Zagora", "Zora quarter", "Elenino", "Zagore Industrial Zone – Stage 1", "Zagore Industrial Zone – Stage 2"]) {
    assert.ok(english.some((l) => l.text === name), `${name} drawn among ${english.map((l) => l.text)}`);
  }
  await page.locator("#map").screenshot({ path: path.join(artifacts, "viewer-places-en.png") });
  // Roads and points of interest near Stage 2 and the interchange, zoomed in so their labels show.
  await page.evaluate(() => window.zagore.map.jumpTo({ center: [25.655, 42.355], zoom: 14.5 }));
  await waitIdle(page);
  const layers = ["zagore-roads-label", "zagore-poi-label", "zagore-place-label"];
  const near = await drawnLabels(page, layers);
  assert.ok(near.some((l) => l.layer === "zagore-roads-label"), "a road label is drawn");
  for (const l of near) {
    if (l.name_en) assert.equal(l.text, l.name_en, `${l.layer}: ${l.name}`);
  }
  await page.click(".lang button[data-lang=bg]");
  await waitIdle(page);
  const bulgarian = await drawnLabels(page, layers);
  assert.ok(bulgarian.length > 0);
  for (const l of bulgarian) {
    if (l.name) assert.equal(l.text, l.name, `${l.layer}: ${l.name_en}`);
  }
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.failed, []);
  await page.close();
});
