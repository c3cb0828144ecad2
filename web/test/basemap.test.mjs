// The base map (issue 16): off unless the deployment configures one, so the offline
// deployment (and every other browser test) sends no request anywhere but to the service;
// when `base_map_tiles` (raster) or `base_map_style` (a vector MapLibre style) is set the
// viewer draws it under the zone with its attribution. The base map's host is stood in for
// by the browser's request routing: no request leaves the machine.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openMap, startServer, waitIdle } from "../testing/harness.mjs";

const TILES = "https://tiles.example.test/{z}/{x}/{y}.png";
const ATTRIBUTION = "© Example Tiles contributors";
// A 1 × 1 PNG, what the stand-in tile server answers.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

const STYLE = "https://styles.example.test/base.json";
// A vector base map's style: a land polygon over the zone, a road line with a pattern and a
// label layer (the last two need the base map's own sprite and glyphs: left out).
const BASE_STYLE = {
  version: 8,
  sources: { land: { type: "geojson", data: { type: "Polygon", coordinates: [[[25.5, 42.3], [25.8, 42.3], [25.8, 42.5], [25.5, 42.5], [25.5, 42.3]]] } } },
  layers: [
    { id: "background", type: "background", paint: { "background-color": "#eef0e8" } },
    { id: "land", type: "fill", source: "land", paint: { "fill-color": "#dde8cc" } },
    { id: "paths", type: "line", source: "land", paint: { "line-pattern": "dots" } },
    { id: "names", type: "symbol", source: "land", layout: { "text-field": "Land", "text-font": ["Open Sans Bold"] } },
  ],
};

let offline;
let online;
let vector;
let browser;

before(async () => {
  [offline, online, vector] = await Promise.all([
    startServer(),
    startServer("geodata", { config: `base_map_tiles = "${TILES}"\nbase_map_attribution = "${ATTRIBUTION}"\n` }),
    startServer("geodata", { config: `base_map_style = "${STYLE}"\nbase_map_attribution = "${ATTRIBUTION}"\n` }),
  ]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  offline?.stop();
  online?.stop();
  vector?.stop();
});

test("without a configured base map no request leaves the service", async () => {
  const context = await browser.newContext();
  const elsewhere = [];
  context.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(offline.base) && !/^(data|blob):/.test(url)) elsewhere.push(url);
  });
  const page = await context.newPage();
  await page.goto(`${offline.base}/map?lang=en`);
  await page.waitForFunction(() => window.zagore?.ready === true, null, { timeout: 30_000 });
  await waitIdle(page);
  assert.equal(await page.evaluate(() => window.zagore.map.getSource("zagore-basemap")), undefined);
  assert.deepEqual(elsewhere, []);
  await context.close();
});

test("a configured raster base map is drawn under the zone, with its attribution", async () => {
  const context = await browser.newContext();
  const asked = [];
  await context.route("https://tiles.example.test/**", (route) => {
    asked.push(route.request().url());
    route.fulfill({ status: 200, contentType: "image/png", body: PNG });
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${online.base}/map?lang=en`);
  await page.waitForFunction(() => window.zagore?.ready === true, null, { timeout: 30_000 });
  await waitIdle(page);
  assert.ok(asked.length > 0, "base map tiles were asked for");
  assert.ok(asked.every((u) => /^https:\/\/tiles\.example\.test\/\d+\/\d+\/\d+\.png$/.test(u)), asked.join("\n"));
  // Under the zone: above the background, below the stages and plots.
  const order = await page.evaluate(() => window.zagore.map.getStyle().layers.map((l) => l.id));
  assert.ok(order.indexOf("zagore-basemap") > order.indexOf("zagore-background"), order.join());
  assert.ok(order.indexOf("zagore-basemap") < order.indexOf("zagore-plots-fill"), order.join());
  const attribution = await page.textContent(".maplibregl-ctrl-attrib-inner");
  assert.ok(attribution.includes(ATTRIBUTION), attribution);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a configured vector base map's style is drawn under the zone without its labels, with its attribution", async () => {
  const context = await browser.newContext();
  await context.route(STYLE, (route) => route.fulfill({
    status: 200, contentType: "application/json", headers: { "Access-Control-Allow-Origin": "*" }, body: JSON.stringify(BASE_STYLE),
  }));
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(`${vector.base}/map?lang=en`);
  await page.waitForFunction(() => window.zagore?.ready === true, null, { timeout: 30_000 });
  await waitIdle(page);
  const order = await page.evaluate(() => window.zagore.map.getStyle().layers.map((l) => l.id));
  const land = order.indexOf("zagore-basemap-land");
  assert.ok(land > order.indexOf("zagore-background") && land < order.indexOf("zagore-stages-fill"), order.join());
  assert.ok(!order.includes("zagore-basemap-names") && !order.includes("zagore-basemap-paths"), order.join());
  const drawn = await page.evaluate(() => window.zagore.map.queryRenderedFeatures({ layers: ["zagore-basemap-land"] }).length);
  assert.ok(drawn > 0, "the base map's land is drawn");
  const attribution = await page.textContent(".maplibregl-ctrl-attrib-inner");
  assert.ok(attribution.includes(ATTRIBUTION), attribution);
  assert.deepEqual(errors, []);
  await context.close();
});
