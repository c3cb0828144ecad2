// The embed snippet (hardening issue, viewer finding 2), as a web developer uses it: copied
// from the viewer's Embed panel and pasted into their own page, which has its own style (a
// background and layers called `rail` and `poi`, as many styles do) and no glyphs. It must
// draw the zone's plots whether the host map has loaded yet or not, as a classic script or
// a module. And a map made from /style.json alone opens on the zone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openMap, renderedPlots, startServer, waitIdle, watchedPage } from "../testing/harness.mjs";

let server;
let browser;
let snippet;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const { page } = await openMap(browser, server.base);
  snippet = await page.textContent("#embed-maplibre");
  await page.close();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const HOST_STYLE = {
  version: 8,
  sources: {},
  layers: [
    { id: "background", type: "background", paint: { "background-color": "#dde3ea" } },
    { id: "rail", type: "background", paint: { "background-opacity": 0 } },
    { id: "poi", type: "background", paint: { "background-opacity": 0 } },
  ],
};

/// A page of another site: its own map of the area, made in a module; `paste` says where the
/// snippet goes.
function hostPage(paste) {
  const classicNow = `const s = document.createElement("script"); s.textContent = ${JSON.stringify(snippet)}; document.body.append(s);`;
  return `<!doctype html><html lang="en"><head><title>Another site</title>
    <link rel="stylesheet" href="/map/vendor/maplibre-gl.css"></head>
    <body style="margin:0"><h1>Our site</h1><div id="host" style="width:800px;height:560px"></div>
    <script type="module">
      import * as maplibregl from "/map/vendor/maplibre-gl.mjs";
      window.map = new maplibregl.Map({ container: "host", style: ${JSON.stringify(HOST_STYLE)}, center: [25.663, 42.399], zoom: 12.2 });
      map.on("load", () => { window.hostLoaded = true; });
      ${paste === "module" ? snippet : paste === "classic-before-load" ? classicNow : ""}
    </script></body></html>`;
}

async function openHost(paste) {
  const { page, problems } = await watchedPage(browser);
  const url = `${server.base}/another-site-${paste}.html`;
  await page.route(url, (route) => route.fulfill({ contentType: "text/html", body: hostPage(paste) }));
  await page.goto(url);
  return { page, problems };
}

async function assertZoneDrawn(page, problems, host = true) {
  await page.waitForFunction(() => window.map?.getLayer("zagore-plots-fill")
    && window.map.queryRenderedFeatures({ layers: ["zagore-plots-fill"] }).length > 0, null, { timeout: 15_000 });
  await waitIdle(page, "window.map");
  const stages = new Set((await renderedPlots(page, "window.map")).map((p) => p.stage));
  assert.ok(stages.has(1) && stages.has(2), `stages ${[...stages]}`);
  // The host's own layers are still there, and still its own.
  if (host) assert.equal(await page.evaluate(() => window.map.getLayer("poi")?.type), "background");
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.failed, []);
}

test("the snippet is a script without top-level await that waits for the map correctly", () => {
  assert.ok(!/^\s*(const|let|var)?[^\n]*\bawait\b/m.test(snippet), snippet);
  assert.match(snippet, /isStyleLoaded\(\)/);
  assert.match(snippet, /style\.json/);
});

test("pasted as a classic script after the host map loaded, it draws the zone", async () => {
  const { page, problems } = await openHost("classic-after-load");
  await page.waitForFunction(() => window.hostLoaded === true, null, { timeout: 15_000 });
  await waitIdle(page, "window.map");
  await page.addScriptTag({ content: snippet });
  await assertZoneDrawn(page, problems);
  await page.close();
});

test("pasted as a classic script before the host map loaded, it draws the zone", async () => {
  const { page, problems } = await openHost("classic-before-load");
  await assertZoneDrawn(page, problems);
  await page.close();
});

test("pasted into the host's module, it draws the zone", async () => {
  const { page, problems } = await openHost("module");
  await assertZoneDrawn(page, problems);
  await page.close();
});

test("a map made from /style.json alone opens on the zone with its plots drawn", async () => {
  const { page, problems } = await watchedPage(browser);
  const url = `${server.base}/style-alone.html`;
  await page.route(url, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html lang="en"><head><title>Style alone</title><link rel="stylesheet" href="/map/vendor/maplibre-gl.css"></head>
      <body style="margin:0"><div id="host" style="width:1024px;height:640px"></div><script type="module">
      import * as maplibregl from "/map/vendor/maplibre-gl.mjs";
      window.map = new maplibregl.Map({ container: "host", style: "/style.json" });
      </script></body></html>`,
  }));
  await page.goto(url);
  await assertZoneDrawn(page, problems, false).catch(async (e) => {
    throw new Error(`${e.message}; view ${await page.evaluate(() => [window.map.getCenter(), window.map.getZoom()])}`);
  });
  await page.close();
});
