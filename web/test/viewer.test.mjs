// The web map in a real browser: headless Debian Chromium driven by playwright-core loads the
// page from the running service, clicks a plot and reads its card, searches an identifier,
// and checks that nothing failed on the way. Run by `make test` (see the Makefile target `browser`).
//
// Environment: ZAGORE_BIN (the binary to start; default target/debug/zagore),
// CHROMIUM (default /usr/bin/chromium), ARTIFACTS (where the screenshot goes; default artifacts/).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = process.env.ZAGORE_BIN || path.join(root, "target/debug/zagore");
const artifacts = process.env.ARTIFACTS || path.join(root, "artifacts");

let server;
let base;
let browser;

before(async () => {
  server = spawn(bin, ["serve", "--listen", "127.0.0.1:0", "--data", "geodata"], {
    cwd: root,
    env: { ...process.env, RUST_LOG: "zagore=info" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  base = await new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 60_000);
    server.stderr.on("data", (chunk) => {
      log += chunk;
      const m = log.match(/serving the zone on (http:\/\/[0-9.:]+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
});

async function openMap(query = "") {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = { console: [], failed: [] };
  page.on("console", (m) => { if (m.type() === "error") problems.console.push(m.text()); });
  page.on("pageerror", (e) => problems.console.push(String(e)));
  // MapLibre cancels the tile requests of a view it leaves (net::ERR_ABORTED): not a failure.
  page.on("requestfailed", (r) => {
    const reason = r.failure()?.errorText || "";
    if (!reason.includes("ERR_ABORTED")) problems.failed.push(`${r.url()} ${reason}`);
  });
  page.on("response", (r) => { if (r.status() >= 400) problems.failed.push(`${r.url()} HTTP ${r.status()}`); });
  await page.goto(`${base}/map${query}`);
  await page.waitForFunction(() => window.zagore?.ready === true, null, { timeout: 30_000 });
  await waitIdle(page);
  return { page, problems };
}

// MapLibre fires `idle` when every tile is loaded and nothing moves.
async function waitIdle(page) {
  await page.evaluate(() => new Promise((resolve) => {
    const map = window.zagore.map;
    if (map.loaded() && !map.isMoving()) return resolve();
    map.once("idle", resolve);
  }));
}

// The plot as the OGC API gives it (WGS84 geometry and its card properties).
async function plotItem(id) {
  const resp = await fetch(`${base}/collections/plots/items/${encodeURIComponent(id)}`);
  assert.equal(resp.status, 200);
  return resp.json();
}

test("clicking a plot shows its card with identifier, area and motorway distance", async () => {
  const { page, problems } = await openMap();
  // Fly to the plot first, then click the screen point of a position inside it.
  const id = "27214.33.1";
  const item = await plotItem(id);
  const ring = item.geometry.coordinates[0];
  const lon = ring.slice(0, -1).reduce((s, c) => s + c[0], 0) / (ring.length - 1);
  const lat = ring.slice(0, -1).reduce((s, c) => s + c[1], 0) / (ring.length - 1);
  await page.evaluate(([lon, lat]) => window.zagore.map.jumpTo({ center: [lon, lat], zoom: 16 }), [lon, lat]);
  await waitIdle(page);
  const point = await page.evaluate(([lon, lat]) => window.zagore.map.project([lon, lat]), [lon, lat]);
  const box = await page.locator("#map").boundingBox();
  await page.mouse.click(box.x + point.x, box.y + point.y);
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
  const errors = await page.evaluate(() => window.zagore.errors);
  assert.deepEqual(errors, [], "map error events");
  assert.deepEqual(problems.failed, [], "failed requests");
  assert.deepEqual(problems.console, [], "console errors");
  assert.deepEqual(problems.failed, [], "failed requests");
  await page.close();
});

test("searching an identifier moves the map to the plot", async () => {
  const { page, problems } = await openMap("?lang=en");
  const id = "68850.520.104";
  const before = await page.evaluate(() => window.zagore.map.getCenter().toArray());
  await page.fill("#search-input", id);
  await page.click("#search button[type=submit]");
  await page.waitForFunction((id) => document.querySelector("#card-id")?.textContent === id, id);
  await page.waitForFunction(() => !window.zagore.map.isMoving());
  await waitIdle(page);
  const item = await plotItem(id);
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

test("filters hide plots by status and the measure tool gives geodesic length and area", async () => {
  const { page, problems } = await openMap();
  await page.evaluate(() => window.zagore.map.jumpTo({ center: [25.6491, 42.3701], zoom: 14.5 }));
  await waitIdle(page);
  const rendered = () => page.evaluate(() => {
    const map = window.zagore.map;
    // The style's own layers drawn from the plots (not the viewer's highlight outlines).
    const layers = map.getStyle().layers.filter((l) => l["source-layer"] === "plots" && !l.id.startsWith("zagore-")).map((l) => l.id);
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

  // Measure a triangle of three clicks; the panel shows the service's geodesic figures.
  await page.click("#measure summary");
  await page.click("#measure-toggle");
  const box = await page.locator("#map").boundingBox();
  for (const [dx, dy] of [[-150, -100], [150, -100], [0, 120]]) {
    await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
    await page.waitForTimeout(350); // keep the clicks apart so they are not a double-click
  }
  await page.waitForFunction(() => document.querySelector("#measure-area")?.textContent.length > 0);
  const points = await page.evaluate(() => window.zagore.points);
  assert.equal(points.length, 3);
  const ring = [...points, points[0]];
  const expected = await (await fetch(`${base}/measure`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: "Polygon", coordinates: [ring] }),
  })).json();
  const shown = (await page.textContent("#measure-area")).replace(/[\s ]/g, "");
  assert.ok(shown.includes(Math.round(expected.area_m2).toString()), `${shown} vs ${expected.area_m2}`);
  assert.match(await page.textContent("#measure-length"), /\d/);
  assert.deepEqual(await page.evaluate(() => window.zagore.errors), []);
  assert.deepEqual(problems.failed, []);
  assert.deepEqual(problems.console, []);
  await page.close();
});
