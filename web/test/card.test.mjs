// The plot card's words (hardening issue, viewer findings 4, 5 and 7): Stage 2's planned
// utilities are shown, not "none"; a plot with no road route says why (the API's
// `interchange.road_reason`); a link to a plot that does not exist says so in the visitor's
// language instead of showing a request URL and an HTTP status.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openMap, renderedPlots, startServer } from "../testing/harness.mjs";

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

test("a Stage 2 plot with nothing built shows its planned utilities", async () => {
  const id = "27214.30.17";
  const item = await (await fetch(`${server.base}/collections/plots/items/${id}`)).json();
  assert.equal(item.properties.has_water, false, "the fixture: nothing built");
  for (const lang of ["en", "bg"]) {
    const { page } = await openMap(browser, server.base, `/map?plot=${id}&lang=${lang}`);
    await page.waitForFunction(() => document.querySelector("#card-utilities"));
    const text = await page.textContent("#card-utilities");
    assert.ok(text.includes(item.properties.utilities_note), text);
    assert.match(text, /110\/20 kV/);
    assert.ok(!/^(none|няма)$/.test(text.trim()), text);
    await page.close();
  }
});

test("a plot without a road route says why", async () => {
  const id = "27214.33.1";
  const reason = "no road within 500 m of the plot";
  const { page } = await openMap(browser, server.base, "/map?lang=en");
  // The service's answer for a plot its roads do not reach (shape of the API's own answer).
  await page.route(`${server.base}/plots/${id}/distances`, async (route) => {
    const real = await (await route.fetch()).json();
    Object.assign(real.interchange, { road_distance_m: null, along_roads_m: null, drive_time_s: null, route: null, road_reason: reason });
    delete real.interchange.access;
    await route.fulfill({ json: real });
  });
  await page.fill("#search-input", id);
  await page.click("#search button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#card-interchange-road")?.textContent.length > 0);
  assert.equal(await page.textContent("#card-interchange-road"), `No route: ${reason}`);
  // The straight-line distances are still there.
  assert.match(await page.textContent("#card-motorway"), /\d/);
  await page.close();
});

test("a link to a plot that does not exist says so in words, and the map still opens on the zone", async () => {
  for (const [lang, message] of [
    ["en", "There is no plot with identifier “99999.1.1”."],
    ["bg", "Няма имот с идентификатор „99999.1.1“."],
  ]) {
    const { page } = await openMap(browser, server.base, `/map?plot=99999.1.1&lang=${lang}`);
    await page.waitForFunction(() => document.querySelector("#card .error"));
    const text = await page.textContent("#card .error");
    assert.equal(text, message);
    assert.ok(!/HTTP|items|json/.test(text), text);
    assert.ok((await renderedPlots(page)).length > 0, "the zone is drawn");
    await page.close();
  }
});
