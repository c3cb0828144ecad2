// The first view (hardening issue, viewer finding 1): a visitor with no view in the URL sees
// the zone's plots drawn, not the world at z0.6 over 0/0 (MapLibre's hash option wrote
// #map=0/0/0 before `load`, and the page then believed the link had a view); a `?plot=` link
// without a hash opens on that plot; the same on a phone and inside the iframe embed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { DESKTOP, PHONE, launchBrowser, openMap, plotItem, renderedPlots, startServer, waitIdle, watchedPage } from "../testing/harness.mjs";

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

for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`a first visit (${name}) draws both stages' plots`, async () => {
    for (const start of ["/map", "/"]) {
      const { page, problems } = await watchedPage(browser, viewport);
      await page.goto(`${server.base}${start}`, { waitUntil: "load" });
      // Within a few seconds, without waiting for anything else first.
      await page.waitForFunction(() => window.zagore?.map?.getLayer("zagore-plots-fill")
        && window.zagore.map.queryRenderedFeatures({ layers: ["zagore-plots-fill"] }).length > 0, null, { timeout: 8_000 });
      await waitIdle(page);
      const stages = new Set((await renderedPlots(page)).map((p) => p.stage));
      assert.ok(stages.has(1) && stages.has(2), `${start}: stages drawn ${[...stages]}`);
      const zoom = await page.evaluate(() => window.zagore.map.getZoom());
      assert.ok(zoom >= 12, `${start}: zoom ${zoom}`);
      assert.match(new URL(page.url()).hash, /^#map=1[2-9]/, "the view is shareable from the start");
      assert.deepEqual(problems.console, []);
      assert.deepEqual(problems.failed, []);
      await page.close();
    }
  });

  test(`a ?plot= link without a view (${name}) opens on that plot with its card`, async () => {
    const id = "27214.33.1";
    const item = await plotItem(server.base, id);
    const { page, problems } = await openMap(browser, server.base, `/map?plot=${id}`, viewport);
    await page.waitForFunction((id) => document.querySelector("#card-id")?.textContent === id, id, { timeout: 8_000 });
    const drawn = (await renderedPlots(page)).map((p) => p.id);
    assert.ok(drawn.includes(id), `plots drawn: ${drawn}`);
    const [lon, lat] = await page.evaluate(() => window.zagore.map.getCenter().toArray());
    const ring = item.geometry.coordinates[0];
    const xs = ring.map((c) => c[0]);
    const ys = ring.map((c) => c[1]);
    assert.ok(lon > Math.min(...xs) && lon < Math.max(...xs), `centre lon ${lon}`);
    assert.ok(lat > Math.min(...ys) && lat < Math.max(...ys), `centre lat ${lat}`);
    assert.deepEqual(problems.console, []);
    assert.deepEqual(problems.failed, []);
    await page.close();
  });
}

test("a link with its own view keeps it", async () => {
  const { page } = await openMap(browser, server.base, "/map#map=15/42.3701/25.6491");
  const [lon, lat] = await page.evaluate(() => window.zagore.map.getCenter().toArray());
  assert.ok(Math.abs(lon - 25.6491) < 1e-3 && Math.abs(lat - 42.3701) < 1e-3, `${lon} ${lat}`);
  assert.equal(Math.round(await page.evaluate(() => window.zagore.map.getZoom())), 15);
  await page.close();
});

test("the iframe embed draws the plots too", async () => {
  const { page, problems } = await watchedPage(browser, DESKTOP);
  await page.route(`${server.base}/embed-host.html`, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><title>host</title><h1>Our site</h1>
      <iframe src="${server.base}/map" width="800" height="500" style="border:0" title="Industrial Zone Zagore"></iframe>`,
  }));
  await page.goto(`${server.base}/embed-host.html`);
  const frame = page.frameLocator("iframe");
  await frame.locator("#map canvas").waitFor();
  const inner = page.frames().find((f) => f.url().startsWith(`${server.base}/map`));
  await inner.waitForFunction(() => window.zagore?.ready && window.zagore.map.getLayer("zagore-plots-fill")
    && window.zagore.map.queryRenderedFeatures({ layers: ["zagore-plots-fill"] }).length > 0, null, { timeout: 8_000 });
  assert.deepEqual(problems.console, []);
  await page.close();
});
