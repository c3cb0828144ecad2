// What the browser tests share: the service started on port 0 (on geodata/ or another data
// folder), headless Debian Chromium through playwright-core, a page of the viewer opened and
// watched for errors, and waiting for the map to settle. Not a test file itself (node --test
// runs what is under test/).
//
// Environment: ZAGORE_BIN (the binary to start; default target/debug/zagore),
// CHROMIUM (default /usr/bin/chromium), ARTIFACTS (where screenshots go; default artifacts/).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const artifacts = process.env.ARTIFACTS || path.join(root, "artifacts");
const bin = process.env.ZAGORE_BIN || path.join(root, "target/debug/zagore");

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/// Starts `zagore serve` on a free port; resolves to { base, stop }. The server has a fresh
/// sales register of its own (imported from the data's plots) unless ZAGORE_REGISTER names one.
/// `config`, when given, is the text of a config file (TOML) the server reads; `register`, the
/// register file to use instead.
export async function startServer(dataDir = "geodata", { config, register: registerFile } = {}) {
  const own = mkdtempSync(path.join(os.tmpdir(), "zagore-server-"));
  const register = registerFile || process.env.ZAGORE_REGISTER || path.join(own, "register.sqlite");
  const env = { ...process.env, RUST_LOG: "zagore=info", ZAGORE_REGISTER: register };
  delete env.ZAGORE_CONFIG;
  if (config !== undefined) {
    env.ZAGORE_CONFIG = path.join(own, "zagore.toml");
    writeFileSync(env.ZAGORE_CONFIG, config);
  }
  const server = spawn(bin, ["serve", "--listen", "127.0.0.1:0", "--data", dataDir], {
    cwd: root,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const base = await new Promise((resolve, reject) => {
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
  const stop = () => {
    server.kill("SIGTERM");
    server.once("exit", () => rmSync(own, { recursive: true, force: true }));
  };
  return { base, stop };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
  });
}

/// A new page that records console errors and failed requests.
export async function watchedPage(browser, viewport = DESKTOP) {
  const page = await browser.newPage({ viewport });
  const problems = { console: [], failed: [] };
  page.on("console", (m) => { if (m.type() === "error") problems.console.push(m.text()); });
  page.on("pageerror", (e) => problems.console.push(String(e)));
  // MapLibre cancels the tile requests of a view it leaves (net::ERR_ABORTED): not a failure.
  page.on("requestfailed", (r) => {
    const reason = r.failure()?.errorText || "";
    if (!reason.includes("ERR_ABORTED")) problems.failed.push(`${r.url()} ${reason}`);
  });
  page.on("response", (r) => { if (r.status() >= 400) problems.failed.push(`${r.url()} HTTP ${r.status()}`); });
  return { page, problems };
}

/// The viewer at `${base}${pathAndQuery}`, once its map has loaded and settled.
export async function openMap(browser, base, pathAndQuery = "/map", viewport = DESKTOP) {
  const { page, problems } = await watchedPage(browser, viewport);
  await page.goto(`${base}${pathAndQuery}`);
  await page.waitForFunction(() => window.zagore?.ready === true, null, { timeout: 30_000 });
  await waitIdle(page);
  return { page, problems };
}

/// MapLibre fires `idle` when every tile is loaded and nothing moves.
export async function waitIdle(page, mapExpr = "window.zagore.map") {
  await page.evaluate((expr) => new Promise((resolve) => {
    const map = eval(expr);
    if (map.loaded() && !map.isMoving()) return resolve();
    map.once("idle", resolve);
  }), mapExpr);
}

/// The plot features the map draws (the style's fill layer), as { id, stage, status }.
export function renderedPlots(pageOrFrame, mapExpr = "window.zagore.map") {
  return pageOrFrame.evaluate((expr) => {
    const map = eval(expr);
    if (!map.getLayer("zagore-plots-fill")) return [];
    return map.queryRenderedFeatures({ layers: ["zagore-plots-fill"] })
      .map((f) => ({ id: f.properties.cadastral_id, stage: f.properties.stage, status: f.properties.status }));
  }, mapExpr);
}

/// The plot as the OGC API gives it (WGS84 geometry and its card properties).
export async function plotItem(base, id) {
  const resp = await fetch(`${base}/collections/plots/items/${encodeURIComponent(id)}`);
  assert.equal(resp.status, 200);
  return resp.json();
}

/// The mean of a plot's outer ring's vertices (inside the bundled plots, which are convex).
export function ringCentre(item) {
  const ring = item.geometry.coordinates[0].slice(0, -1);
  return [ring.reduce((s, c) => s + c[0], 0) / ring.length, ring.reduce((s, c) => s + c[1], 0) / ring.length];
}

/// Clicks the screen point of a lon/lat on the viewer's map.
export async function clickLonLat(page, lonLat) {
  const point = await page.evaluate((ll) => window.zagore.map.project(ll), lonLat);
  const box = await page.locator("#map").boundingBox();
  await page.mouse.click(box.x + point.x, box.y + point.y);
}
