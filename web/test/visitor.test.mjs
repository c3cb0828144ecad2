// A visitor from abroad, a phone, paper and the keyboard (issue 16): the places around the
// zone are named on the map, and roads, points of interest and places read in the chosen
// language; on a phone every touch target is at least 44 px and the attribution starts
// collapsed; printing gives the map and its legend, not the panels; clicking a plot the
// filters hide says so; a plot can be chosen on the map with the keyboard alone; choosing a
// stage in the filters moves the map to it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DESKTOP, PHONE, artifacts, clickLonLat, launchBrowser, openMap, plotItem, renderedPlots, startServer, waitIdle } from "../testing/harness.mjs";

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

/// Every visible control of the page a finger can tap, with its size: buttons, links, form
/// fields (a checkbox by its label), the panel's summaries and the map's controls. Text
/// links inside the attribution's sentence are not targets of their own.
function touchTargets(page) {
  return page.evaluate(() => {
    const seen = [];
    for (const node of document.querySelectorAll("button, a[href], input, select, summary, .maplibregl-ctrl-attrib-button")) {
      if (node.closest(".maplibregl-ctrl-attrib-inner") || node.closest(".visually-hidden")) continue;
      const target = node.matches("input[type=checkbox]") && node.closest("label") ? node.closest("label") : node;
      const box = target.getBoundingClientRect();
      const style = getComputedStyle(target);
      if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
      if (node.matches(".skip-link") && document.activeElement !== node) continue;
      seen.push({ what: `${node.tagName.toLowerCase()}${node.id ? "#" + node.id : ""}.${node.className || ""} “${(target.textContent || node.getAttribute("aria-label") || "").trim().slice(0, 30)}”`,
        width: Math.round(box.width), height: Math.round(box.height) });
    }
    return seen;
  });
}

test("on a phone every touch target is at least 44 × 44 px and the attribution starts collapsed", async () => {
  const id = "27214.33.1";
  const { page, problems } = await openMap(browser, server.base, `/map?lang=en&plot=${id}`, PHONE);
  await page.waitForFunction(() => document.querySelector("#card-cadastre"));
  for (const summary of ["#downloads summary", "#measure summary", "#embed summary"]) await page.click(summary);
  const targets = await touchTargets(page);
  // The language buttons, search, the card's links, filters, list rows, the panels' buttons
  // and the map's controls: many dozens.
  assert.ok(targets.length > 40, `only ${targets.length} targets found`);
  const small = targets.filter((t) => t.width < 44 || t.height < 44);
  assert.deepEqual(small, [], "touch targets under 44 px");
  // The attribution: only its (i) button until it is tapped.
  const inner = page.locator(".maplibregl-ctrl-attrib-inner");
  assert.equal(await inner.isVisible(), false, "the attribution text is collapsed");
  await page.click(".maplibregl-ctrl-attrib-button");
  await inner.waitFor({ state: "visible" });
  assert.match(await inner.textContent(), /Industrial Zone Zagore/);
  assert.deepEqual(problems.console, []);
  await page.close();
});

test("printing the map page prints the map and its legend, not the panels, on one page", async () => {
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  const onScreen = await renderedPlots(page);
  await page.emulateMedia({ media: "print" });
  await page.waitForFunction(() => window.zagore.map.getCanvas().width === document.querySelector("#map").clientWidth * devicePixelRatio);
  await waitIdle(page);
  // The paper shows what the screen showed: both stages' plots, of every status (at this
  // zoom the tiles carry only stage and status).
  const kinds = (plots) => [...new Set(plots.map((p) => `stage ${p.stage} ${p.status}`))].sort();
  assert.deepEqual(kinds(onScreen).filter((k) => k.startsWith("stage 1")).length > 0 && kinds(onScreen).some((k) => k.startsWith("stage 2")), true, "the fixture: both stages on screen");
  assert.deepEqual(kinds(await renderedPlots(page)), kinds(onScreen));
  for (const hidden of ["#search", "#card", "#filters", "#list", "#downloads", "#measure", "#embed", ".lang", ".maplibregl-ctrl-top-left"]) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is printed`);
  }
  const map = await page.locator("#map").boundingBox();
  // 185 × 205 mm at 96 px to the inch: most of an A4 page inside 10 mm margins.
  assert.ok(map.width >= 690 && map.height >= 770, `the map fills the page: ${JSON.stringify(map)}`);
  const legend = await page.$$eval("#legend-items li", (items) => items.filter((li) => li.getBoundingClientRect().height > 0).map((li) => li.textContent.trim()));
  for (const status of ["available", "reserved", "pre-contracted", "sold", "Motorway"]) assert.ok(legend.includes(status), `${status} in ${legend}`);
  // The PDF Chromium prints: one page, with the legend's words on it.
  const dir = mkdtempSync(path.join(os.tmpdir(), "zagore-print-"));
  try {
    const pdf = path.join(dir, "map.pdf");
    writeFileSync(pdf, await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
    assert.match(info, /^Pages:\s+1$/m, info);
    const text = execFileSync("pdftotext", [pdf, "-"], { encoding: "utf8" });
    assert.match(text, /pre-contracted/);
    assert.doesNotMatch(text, /Find a plot|Filters|Embed/, "a panel was printed");
    // What the paper looks like, for docs/viewer.md.
    execFileSync("pdftoppm", ["-png", "-r", "60", "-singlefile", pdf, path.join(artifacts, "viewer-print")]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Back on screen, the screen's view again.
  await page.emulateMedia({ media: "screen" });
  await waitIdle(page);
  assert.deepEqual(kinds(await renderedPlots(page)), kinds(onScreen));
  assert.deepEqual(problems.console, []);
  await page.close();
});

test("clicking a plot the filters hide says so, and opens no card", async () => {
  const id = "68850.520.101";
  const item = await plotItem(server.base, id);
  assert.equal(item.properties.status, "sold", "the fixture");
  const { page, problems } = await openMap(browser, server.base, `/map?lang=en&status=available,reserved,pre-contracted`);
  const inside = [item.properties.inside_lon, item.properties.inside_lat];
  await page.evaluate((c) => window.zagore.map.jumpTo({ center: c, zoom: 16 }), inside);
  await waitIdle(page);
  await clickLonLat(page, inside);
  await page.waitForFunction(() => /hidden by the filters/.test(document.querySelector("#card").textContent));
  assert.equal((await page.textContent("#card")).trim(), `Plot ${id} is hidden by the filters.`);
  assert.equal(await page.$("#card-id"), null, "no card");
  assert.deepEqual(problems.console, []);
  await page.close();
});

test("a plot is chosen on the map with the keyboard alone: Tab to the map, arrows move it, Enter chooses under the cross", async () => {
  const id = "27214.33.1";
  const item = await plotItem(server.base, id);
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en", DESKTOP);
  // The visitor has moved the map so that the plot is under the middle (as the arrows do).
  await page.evaluate((c) => window.zagore.map.jumpTo({ center: c, zoom: 16 }), [item.properties.inside_lon, item.properties.inside_lat]);
  await waitIdle(page);
  await page.evaluate(() => document.activeElement?.blur());
  let focused = "";
  for (let i = 0; i < 6 && !focused.includes("maplibregl-canvas"); i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement.className);
  }
  assert.match(focused, /maplibregl-canvas/, "the map is a tab stop");
  assert.ok(await page.locator(".map-cross").isVisible(), "a cross marks the middle while the map has the focus");
  const keys = await page.evaluate(() => document.getElementById(document.activeElement.getAttribute("aria-describedby"))?.textContent);
  assert.match(keys, /Enter chooses/);
  // The arrows move the map, and back.
  const before = await page.evaluate(() => window.zagore.map.getCenter().toArray());
  await page.keyboard.press("ArrowRight");
  await waitIdle(page);
  const moved = await page.evaluate(() => window.zagore.map.getCenter().toArray());
  assert.ok(moved[0] > before[0], `the map moved east: ${before} → ${moved}`);
  await page.keyboard.press("ArrowLeft");
  await waitIdle(page);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#card-id")?.textContent.length > 0);
  assert.equal(await page.textContent("#card-id"), id);
  assert.deepEqual(problems.console, []);
  await page.close();
});

test("choosing a stage in the filters moves the map to that stage's plots", async () => {
  const plots = (await (await fetch(`${server.base}/collections/plots/items?limit=1000`)).json()).features;
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  for (const stage of [2, 1]) {
    // From somewhere else: west along the motorway, far from both stages.
    await page.evaluate(() => window.zagore.map.jumpTo({ center: [25.55, 42.32], zoom: 15 }));
    await waitIdle(page);
    await page.selectOption("#stage-filter", String(stage));
    await page.waitForFunction(() => !window.zagore.map.isMoving());
    await waitIdle(page);
    const bounds = await page.evaluate(() => window.zagore.map.getBounds().toArray());
    const inside = ([lon, lat]) => lon >= bounds[0][0] && lon <= bounds[1][0] && lat >= bounds[0][1] && lat <= bounds[1][1];
    const own = plots.filter((p) => p.properties.stage === stage);
    for (const p of own) assert.ok(inside([p.properties.inside_lon, p.properties.inside_lat]), `${p.id} of stage ${stage} in view`);
    const drawn = await renderedPlots(page);
    assert.ok(drawn.length > 0 && drawn.every((d) => d.stage === stage), `only stage ${stage} drawn: ${JSON.stringify(drawn.slice(0, 3))}`);
  }
  assert.deepEqual(problems.console, []);
  await page.close();
});
