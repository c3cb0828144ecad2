// The map from a static host (issue 17): `zagore export --style` writes the PMTiles archive,
// a style that reads it through MapLibre's pmtiles:// protocol, and the labels' glyphs; nginx
// serves that folder as plain files (the archive by HTTP range requests) and MapLibre in
// Chromium draws the zone's plots from it — no zagore server running, no failed request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { artifacts, launchBrowser, root, waitIdle, watchedPage } from "../testing/harness.mjs";

const bin = process.env.ZAGORE_BIN || path.join(root, "target/debug/zagore");
const NGINX = process.env.NGINX || "/usr/sbin/nginx";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function answering(url, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const resp = await fetch(url);
      if (resp.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zagore from a static host</title>
<link rel="stylesheet" href="maplibre-gl.css"><link rel="icon" href="data:,">
<style>html, body, #map { margin: 0; height: 100%; }</style></head>
<body><div id="map"></div>
<script src="pmtiles.js"></script>
<script type="module">
  import * as maplibregl from "./maplibre-gl.mjs";
  const protocol = new pmtiles.Protocol();
  maplibregl.addProtocol("pmtiles", protocol.tile);
  window.map = new maplibregl.Map({ container: "map", style: "style.json" });
</script></body></html>`;

test("the zone's plots drawn from a PMTiles archive on nginx, with no zagore server", async (t) => {
  assert.ok(existsSync(NGINX), `nginx is needed (${NGINX}): bash scripts/setup.sh browser`);
  const work = mkdtempSync(path.join(os.tmpdir(), "zagore-static-"));
  const site = path.join(work, "site");
  mkdirSync(site);
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const exported = spawnSync(bin, ["export", "--data", "geodata", "--out", path.join(site, "zone.pmtiles"),
    "--max-zoom", "15", "--style", path.join(site, "style.json"), "--public-url", url],
    { cwd: root, encoding: "utf8", env: { ...process.env, ZAGORE_REGISTER: path.join(work, "register.sqlite") } });
  assert.equal(exported.status, 0, exported.stderr);
  const style = JSON.parse(readFileSync(path.join(site, "style.json"), "utf8"));
  assert.equal(style.sources.zagore.url, `pmtiles://${url}/zone.pmtiles`);

  const vendor = path.join(root, "web/node_modules");
  for (const file of ["maplibre-gl.mjs", "maplibre-gl-shared.mjs", "maplibre-gl-worker.mjs", "maplibre-gl.css"]) {
    copyFileSync(path.join(vendor, "maplibre-gl/dist", file), path.join(site, file));
  }
  copyFileSync(path.join(vendor, "pmtiles/dist/pmtiles.js"), path.join(site, "pmtiles.js"));
  writeFileSync(path.join(site, "index.html"), PAGE);
  // nginx's workers (not root) read the files.
  chmodSync(work, 0o755);
  spawnSync("chmod", ["-R", "a+rX", site]);
  const asRoot = process.getuid?.() === 0 ? "user root;" : "";
  writeFileSync(path.join(work, "nginx.conf"), `${asRoot}
worker_processes 1;
pid ${work}/nginx.pid;
error_log ${work}/error.log;
events {}
http {
  types { text/html html; text/javascript js mjs; application/json json; text/css css;
          application/octet-stream pmtiles pbf; }
  access_log ${work}/access.log;
  server { listen 127.0.0.1:${port}; root ${site}; }
}
`);
  const nginx = spawn(NGINX, ["-p", work, "-c", path.join(work, "nginx.conf"), "-g", "daemon off;"], { stdio: "ignore" });
  t.after(() => nginx.kill("SIGTERM"));
  await answering(`${url}/index.html`);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page, problems } = await watchedPage(browser);
  await page.goto(`${url}/index.html`);
  await page.waitForFunction(() => window.map?.loaded() && window.map.getLayer("zagore-plots-fill"), null, { timeout: 30_000 });
  await waitIdle(page, "window.map");
  const drawn = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ["zagore-plots-fill"] })
    .map((f) => f.properties.status));
  assert.ok(drawn.length > 0, "no plot drawn from the archive");
  const plots = JSON.parse(readFileSync(path.join(root, "geodata/plots.geojson"), "utf8")).features;
  const statuses = new Set(plots.map((f) => f.properties.status));
  for (const s of drawn) assert.ok(statuses.has(s), `a plot drawn with status ${s}`);
  // Labels need the glyph files written beside the style: they load, none is missing.
  // Closer, on the first plot drawn (the opening view shows both stages, 7 km apart).
  await page.evaluate(() => {
    const [plot] = window.map.queryRenderedFeatures({ layers: ["zagore-plots-fill"] });
    window.map.jumpTo({ center: plot.geometry.coordinates.flat(2).slice(0, 2), zoom: 15.5 });
  });
  await waitIdle(page, "window.map");
  const labels = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ["zagore-plot-labels"] }).length);
  assert.ok(labels > 0, "no plot label drawn");
  await page.screenshot({ path: path.join(artifacts, "static-archive.png") });
  assert.deepEqual(problems.failed, []);
  assert.deepEqual(problems.console, []);
  const log = readFileSync(path.join(work, "access.log"), "utf8");
  assert.match(log, /GET \/zone\.pmtiles HTTP\/1\.1" 206 /, "the archive is read by range requests");
  assert.match(log, /GET \/fonts\/Noto%20Sans%20(Regular|Bold)\/[0-9]+-[0-9]+\.pbf HTTP\/1\.1" 200 /);
});
