// The web map in a real browser: headless Debian Chromium driven by playwright-core loads the
// page from the running service, clicks a plot and reads its card, searches an identifier,
// filters by status, and checks that nothing failed on the way. Run by `make test` (see the
// Makefile target `browser`); the shared set-up is in ../testing/harness.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { artifacts, clickLonLat, launchBrowser, openMap, plotItem, ringCentre, startServer, waitIdle } from "../testing/harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("clicking a plot shows its card with identifier, area and motorway distance", async () => {
  const { page, problems } = await openMap(browser, server.base);
  // Fly to the plot first, then click the screen point of a position inside it.
  const id = "27214.33.1";
  const item = await plotItem(server.base, id);
  const centre = ringCentre(item);
  await page.evaluate((c) => window.zagore.map.jumpTo({ center: c, zoom: 16 }), centre);
  await waitIdle(page);
  await clickLonLat(page, centre);
  await page.waitForFunction(() => document.querySelector("#card-id")?.textContent.length > 0);
  assert.equal(await page.textContent("#card-id"), id);
  const area = await page.textContent("#card-area");
  assert.match(area, /m²/);
  // The card's area is the plot's own (the API's figure, formatted).
  assert.ok(area.replace(/\s| /g, "").includes(String(Math.round(item.properties.area_m2))), area);
  await page.waitForFunction(() => document.querySelector("#card-motorway")?.textContent.trim().length > 0);
  assert.match(await page.textContent("#card-motorway"), /\d.*(m|km)/);
  assert.equal(new URL(page.url()).searchParams.get("plot"), id);
  await waitIdle(page);
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "viewer-card.png") });
  assert.deepEqual(await page.evaluate(() => window.zagore.errors), [], "map error events");
  assert.deepEqual(problems.failed, [], "failed requests");
  assert.deepEqual(problems.console, [], "console errors");
  await page.close();
});

test("searching an identifier moves the map to the plot", async () => {
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  const id = "68850.520.104";
  const before = await page.evaluate(() => window.zagore.map.getCenter().toArray());
  await page.fill("#search-input", id);
  await page.click("#search button[type=submit]");
  await page.waitForFunction((id) => document.querySelector("#card-id")?.textContent === id, id);
  await page.waitForFunction(() => !window.zagore.map.isMoving());
  await waitIdle(page);
  const item = await plotItem(server.base, id);
  const [lon, lat] = await page.evaluate(() => window.zagore.map.getCenter().toArray());
  const ring = item.geometry.coordinates[0];
  const xs = ring.map((c) => c[0]);
  const ys = ring.map((c) => c[1]);
  assert.ok(lon > Math.min(...xs) - 0.002 && lon < Math.max(...xs) + 0.002, `centre lon ${lon}`);
  assert.ok(lat > Math.min(...ys) - 0.002 && lat < Math.max(...ys) + 0.002, `centre lat ${lat}`);
  assert.notDeepEqual([lon, lat], before);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.screenshot({ path: path.join(artifacts, "viewer-search.png") });
  assert.deepEqual(await page.evaluate(() => window.zagore.errors), []);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.failed, []);
  await page.close();
});

test("filters hide plots by status", async () => {
  const { page, problems } = await openMap(browser, server.base);
  await page.evaluate(() => window.zagore.map.jumpTo({ center: [25.6491, 42.3701], zoom: 14.5 }));
  await waitIdle(page);
  const rendered = () => page.evaluate(() => {
    const map = window.zagore.map;
    // The style's own layers drawn from the plots (not the viewer's highlight outlines).
    const layers = map.getStyle().layers
      .filter((l) => l["source-layer"] === "plots" && !["zagore-plot-hover", "zagore-plot-selected"].includes(l.id))
      .map((l) => l.id);
    const statuses = map.queryRenderedFeatures({ layers }).map((f) => f.properties.status);
    return [...new Set(statuses)].sort();
  });
  const before = await rendered();
  assert.ok(before.includes("available") && before.includes("pre-contracted"), `rendered statuses ${before}`);
  await page.uncheck('#status-filter input[value="available"]');
  await waitIdle(page);
  const after = await rendered();
  assert.ok(!after.includes("available"), `available plots still drawn: ${after}`);
  assert.ok(after.includes("pre-contracted"));
  assert.deepEqual(await page.evaluate(() => window.zagore.errors), []);
  assert.deepEqual(problems.failed, []);
  assert.deepEqual(problems.console, []);
  await page.close();
});
