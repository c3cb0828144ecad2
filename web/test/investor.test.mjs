// The investor's view in a real browser (issue 16): filters by area and utilities that the
// list, the map and the count follow and the URL keeps; choosing a plot from the list with
// the keyboard alone; comparing two plots with a shareable URL; an export downloaded from
// the menu and read back, holding exactly the plots every filter selects; the phone layout; axe-core on the map page, the list, the compare
// view and the plot sheet.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DESKTOP, PHONE, artifacts, launchBrowser, openMap, startServer, waitIdle } from "../testing/harness.mjs";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let server;
let browser;
let plots;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const resp = await fetch(`${server.base}/collections/plots/items?limit=1000`);
  plots = (await resp.json()).features;
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const listIds = (page) => page.$$eval("#list-table tbody tr", (rows) => rows.map((r) => r.dataset.id));

/// The plots the map draws in the current view: the style's fill layer, minus the mask.
async function drawnIds(page) {
  return page.evaluate(() => {
    const map = window.zagore.map;
    const drawn = map.queryRenderedFeatures({ layers: ["zagore-plots-fill"] }).map((f) => f.properties.cadastral_id);
    const masked = new Set(map.queryRenderedFeatures({ layers: ["zagore-plots-hidden"] }).map((f) => f.properties.cadastral_id));
    return [...new Set(drawn.filter((id) => id && !masked.has(id)))].sort();
  });
}

/// Fits the map to these plots at a zoom where the tiles carry each plot's card.
async function showPlots(page, features) {
  const xs = features.flatMap((f) => f.geometry.coordinates.flat(2).filter((_, i) => i % 2 === 0));
  const ys = features.flatMap((f) => f.geometry.coordinates.flat(2).filter((_, i) => i % 2 === 1));
  await page.evaluate((b) => {
    const map = window.zagore.map;
    map.fitBounds(b, { padding: 30, duration: 0, maxZoom: 16 });
    if (map.getZoom() < 14) map.setZoom(14);
  }, [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]]);
  await waitIdle(page);
}

async function seriousViolations(page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`);
}

test("filtering by area and utilities: the list, the map and the count agree, and the URL keeps it", async () => {
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  assert.equal((await listIds(page)).length, plots.length, "every plot listed at first");
  await page.fill("#area-min", "10");
  await page.check('#util-filter input[value="gas"]');
  const expected = plots
    .filter((f) => f.properties.area_m2 / 1000 >= 10 && f.properties.has_gas === true)
    .map((f) => f.id)
    .sort();
  assert.ok(expected.length > 0 && expected.length < plots.length, `a real selection: ${expected}`);
  await page.waitForFunction((n) => document.querySelectorAll("#list-table tbody tr").length === n, expected.length);
  assert.deepEqual((await listIds(page)).sort(), expected);
  assert.equal(await page.textContent("#filter-count"), `${expected.length} of ${plots.length} plots`);
  assert.equal(await page.getAttribute("#filter-count", "aria-live"), "polite");
  for (const stage of [1, 2]) {
    const inStage = plots.filter((f) => f.properties.stage === stage);
    await showPlots(page, inStage);
    const want = expected.filter((id) => inStage.some((f) => f.id === id));
    assert.deepEqual(await drawnIds(page), want, `stage ${stage}: the map draws what the list lists`);
  }
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("amin"), "10");
  assert.equal(url.searchParams.get("util"), "gas");
  await page.screenshot({ path: path.join(artifacts, "investor-list.png") });
  // The same URL opens on the same selection.
  const again = await openMap(browser, server.base, `${url.pathname}${url.search}`);
  assert.deepEqual((await listIds(again.page)).sort(), expected);
  assert.equal(await again.page.inputValue("#area-min"), "10");
  assert.ok(await again.page.isChecked('#util-filter input[value="gas"]'));
  for (const p of [problems, again.problems]) {
    assert.deepEqual(p.console, []);
    assert.deepEqual(p.failed, []);
  }
  await again.page.close();
  await page.close();
});

test("a plot is chosen from the list with the keyboard alone, and the list sorts", async () => {
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  // Sort by area, descending: the header's button twice.
  await page.focus('#list-table button.sort[data-key="area_m2"]');
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  assert.equal(await page.getAttribute('#list-table th:has(button[data-key="area_m2"])', "aria-sort"), "descending");
  const largest = [...plots].sort((a, b) => b.properties.area_m2 - a.properties.area_m2)[0].id;
  assert.equal((await listIds(page))[0], largest);
  // From the sort button, Tab reaches the rows' identifiers; Enter chooses one.
  let id = null;
  for (let i = 0; i < 40 && !id; i++) {
    await page.keyboard.press("Tab");
    id = await page.evaluate(() => (document.activeElement?.classList.contains("choose") ? document.activeElement.textContent : null));
  }
  assert.ok(id, "a row's identifier took the focus");
  const focusVisible = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(focusVisible, "none", "visible focus");
  await page.keyboard.press("Enter");
  await page.waitForFunction((id) => document.querySelector("#card-id")?.textContent === id, id);
  assert.equal(await page.getAttribute(`#list-table tr[data-id="${id}"]`, "aria-current"), "true");
  await page.waitForFunction((id) => window.zagore.selected === id && !window.zagore.map.isMoving(), id);
  await waitIdle(page);
  const outlined = await page.evaluate(() => window.zagore.map.querySourceFeatures("zagore-selected").map((f) => f.properties.cadastral_id));
  assert.ok(outlined.includes(id), `the map outlines the plot chosen in the list: ${outlined}`);
  const centre = await page.evaluate(() => window.zagore.map.getCenter().toArray());
  const ring = plots.find((f) => f.id === id).geometry.coordinates.flat(2);
  const [xs, ys] = [ring.filter((_, i) => i % 2 === 0), ring.filter((_, i) => i % 2 === 1)];
  assert.ok(centre[0] > Math.min(...xs) - 0.002 && centre[0] < Math.max(...xs) + 0.002 && centre[1] > Math.min(...ys) - 0.002 && centre[1] < Math.max(...ys) + 0.002, `the map moved to it: ${centre}`);
  // And the other way round: a selection on the map marks its row.
  const other = plots.find((f) => f.id !== id).id;
  await page.evaluate(async (other) => {
    const { showPlotById } = await import("/map/assets/modules/selection.js");
    await showPlotById(other, true);
  }, other);
  await page.waitForFunction((other) => document.querySelector(`#list-table tr[data-id="${other}"]`)?.getAttribute("aria-current") === "true", other);
  assert.equal(await page.getAttribute(`#list-table tr[data-id="${id}"]`, "aria-current"), null);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.failed, []);
  await page.close();
});

test("two plots compared side by side, with a shareable URL", async () => {
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  const [a, b] = [plots[0].id, plots[plots.length - 1].id];
  await page.check(`#list-table tr[data-id="${a}"] input[type=checkbox]`);
  assert.match(await page.textContent("#compare-note"), /one more/);
  await page.check(`#list-table tr[data-id="${b}"] input[type=checkbox]`);
  await page.waitForSelector("#compare:not([hidden])");
  const heads = await page.$$eval("#compare-table thead th", (th) => th.map((x) => x.textContent));
  assert.deepEqual(heads, [a, b]);
  const rows = await page.$$eval("#compare-table tbody th", (th) => th.map((x) => x.textContent));
  for (const label of ["Maximum height", "Greenery (min.)", "Drive time to the A1 interchange", "Price", "Utilities"]) {
    assert.ok(rows.includes(label), `${label} in ${rows}`);
  }
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("compare"), `${a},${b}`);
  await page.screenshot({ path: path.join(artifacts, "investor-compare.png") });
  const shared = await openMap(browser, server.base, `${url.pathname}${url.search}`);
  await shared.page.waitForSelector("#compare:not([hidden])");
  assert.deepEqual(await shared.page.$$eval("#compare-table thead th", (th) => th.map((x) => x.textContent)), [a, b]);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(shared.problems.console, []);
  await shared.page.close();
  await page.close();
});

test("an export downloads from the menu and reads back", async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto(`${server.base}/map?lang=en&available=1`);
  await page.waitForFunction(() => window.zagore?.ready === true);
  await page.click("#downloads summary");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('#download-links a[data-format="csv"]')]);
  const file = await download.path();
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a BOM");
  const lines = bytes.toString("utf8").slice(1).trim().split("\r\n");
  const available = plots.filter((f) => f.properties.status === "available").map((f) => f.id);
  assert.equal(lines.length, available.length + 1);
  assert.deepEqual(lines.slice(1).map((l) => l.split(",")[0]).sort(), available.sort());
  assert.equal(download.suggestedFilename(), "plots.csv");
  await context.close();
});

test("an export holds exactly the plots the filters select, area and distance ranges too", async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: DESKTOP });
  const page = await context.newPage();
  // Ranges, a utility and two statuses: what the list shows is what the file must hold.
  await page.goto(`${server.base}/map?lang=en&amin=8&road_km=11.85&drive_min=8.2&util=power&status=available,reserved`);
  await page.waitForFunction(() => window.zagore?.ready === true);
  const want = plots.filter((f) => {
    const p = f.properties;
    return ["available", "reserved"].includes(p.status) && p.area_m2 >= 8000 && p.has_power === true
      && p.interchange_road_m <= 11850 && p.interchange_drive_min <= 8.2;
  }).map((f) => f.id).sort();
  assert.ok(want.length > 0 && want.length < plots.length, `a selection that narrows: ${want.length}`);
  assert.deepEqual((await listIds(page)).sort(), want, "the list");
  await page.click("#downloads summary");
  assert.equal(await page.textContent("#download-note"), "", "no filter is left out");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('#download-links a[data-format="csv"]')]);
  const lines = readFileSync(await download.path(), "utf8").slice(1).trim().split("\r\n");
  assert.deepEqual(lines.slice(1).map((l) => l.split(",")[0]).sort(), want, "the downloaded file");
  await context.close();
});

test("the phone layout: map, filters, list and card usable at 390×844", async () => {
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en", PHONE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling of the page (${overflow} px)`);
  const mapBox = await page.locator("#map").boundingBox();
  assert.ok(mapBox.height >= 250, `map height ${mapBox.height}`);
  await page.locator("#area-min").scrollIntoViewIfNeeded();
  await page.fill("#area-min", "20");
  const big = plots.filter((f) => f.properties.area_m2 >= 20000).length;
  await page.waitForFunction((n) => document.querySelectorAll("#list-table tbody tr").length === n, big);
  const button = page.locator("#list-table button.choose").first();
  await button.scrollIntoViewIfNeeded();
  const box = await button.boundingBox();
  assert.ok(box.height >= 44, `touch target ${box.height} px`);
  await button.click();
  await page.waitForFunction(() => document.querySelector("#card-id")?.textContent.length > 0);
  await page.screenshot({ path: path.join(artifacts, "investor-phone.png") });
  assert.deepEqual(problems.console, []);
  await page.close();
});

test("axe-core: no serious or critical violation on the map page, the list, the compare view and the sheet", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
  const page = await context.newPage();
  const [a, b] = [plots[0].id, plots[1].id];
  for (const lang of ["bg", "en"]) {
    await page.goto(`${server.base}/map?lang=${lang}&compare=${a},${b}&plot=${a}&amin=1`);
    await page.waitForFunction(() => window.zagore?.ready && document.querySelector("#card-motorway")?.textContent.length > 0, null, { timeout: 30_000 });
    await page.waitForSelector("#compare:not([hidden])");
    await page.click("#downloads summary");
    await waitIdle(page);
    assert.deepEqual(await seriousViolations(page), [], `map, list and compare (${lang})`);
    await page.goto(`${server.base}/plots/${a}/sheet?lang=${lang}`);
    assert.deepEqual(await seriousViolations(page), [], `sheet (${lang})`);
  }
  await page.goto(`${server.base}/plots/${a}/sheet?lang=en`);
  await page.screenshot({ path: path.join(artifacts, "investor-sheet.png"), fullPage: true });
  await context.close();
});
