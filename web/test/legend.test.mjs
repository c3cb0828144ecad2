// The legend and the filters come from the style and TileJSON, with no copy of the style's
// colours in the viewer: the statuses and stages listed are the ones the plots have, in the
// style's order and colours; and every layer the data folder's manifest adds (the bundled
// `utilities`) is in the legend, titled in the page's language, in its style colour, as text.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { launchBrowser, openMap, root, startServer } from "../testing/harness.mjs";

const bin = process.env.ZAGORE_BIN || path.join(root, "target/debug/zagore");
let server;
let partial;
let partialDir;
let token;
let browser;

before(async () => {
  // Stage 1's plots only, each reserved or sold: two of the four statuses, one of two stages.
  partialDir = mkdtempSync(path.join(os.tmpdir(), "zagore-partial-"));
  // Not a register someone left in geodata/: this folder's plots say the statuses.
  cpSync(path.join(root, "geodata"), partialDir, { recursive: true, filter: (src) => !path.basename(src).startsWith("register.sqlite") });
  const file = path.join(partialDir, "plots.geojson");
  const plots = JSON.parse(readFileSync(file, "utf8"));
  plots.features = plots.features.filter((f) => f.properties.stage === 1);
  plots.features.forEach((f, i) => { f.properties.status = i % 2 ? "reserved" : "sold"; });
  writeFileSync(file, JSON.stringify(plots));
  // An editor's account in the partial data's own register.
  const register = path.join(partialDir, "register.sqlite");
  token = execFileSync(bin, ["user", "add", "tester", "--role", "editor", "--data", partialDir, "--register", register],
    { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  [server, partial] = await Promise.all([startServer(), startServer(partialDir, { register })]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  partial?.stop();
  if (partialDir) rmSync(partialDir, { recursive: true, force: true });
});

const rgb = (hex) => `rgb(${hex.slice(1).match(/../g).map((h) => parseInt(h, 16)).join(", ")})`;

/// What the page lists: the status boxes, the legend's statuses with their swatch colours,
/// the stage options.
const listed = (page) => page.evaluate(() => ({
  filters: [...document.querySelectorAll("#status-filter input")].map((i) => i.value),
  legend: [...document.querySelectorAll("#legend-items li[data-status]")]
    .map((li) => [li.dataset.status, getComputedStyle(li.querySelector(".swatch")).backgroundColor, li.textContent.trim()]),
  stages: [...document.querySelectorAll("#stage-filter option")].map((o) => o.value),
}));

for (const [name, want] of [
  ["a data folder with two statuses and one stage", { statuses: ["reserved", "sold"], stages: ["", "1"] }],
  ["the bundled data, with every status and both stages", { statuses: ["available", "reserved", "pre-contracted", "sold"], stages: ["", "1", "2"] }],
]) {
  test(`the legend and the filters list exactly what the plots have (${name}), in the style's colours`, async () => {
    const app = name.startsWith("a data") ? partial : server;
    const style = await (await fetch(`${app.base}/style.json`)).json();
    const palette = style.metadata["zagore:status-colours"];
    // The style's order: the statuses wanted, as the style lists them.
    assert.deepEqual(palette.map((p) => p.status).filter((s) => want.statuses.includes(s)), want.statuses);
    const { page, problems } = await openMap(browser, app.base, "/map?lang=en");
    const shown = await listed(page);
    assert.deepEqual(shown.filters, want.statuses);
    assert.deepEqual(shown.stages, want.stages);
    const words = { available: "available", reserved: "reserved", "pre-contracted": "pre-contracted", sold: "sold" };
    assert.deepEqual(shown.legend, want.statuses.map((s) => [s, rgb(palette.find((p) => p.status === s).colour), words[s]]));
    // The map draws the plots in the same colours.
    const drawn = await page.evaluate(() => window.zagore.map.getPaintProperty("zagore-plots-fill", "fill-color"));
    for (const s of want.statuses) {
      const at = drawn.indexOf(s);
      assert.ok(at > 0, `${s} in ${JSON.stringify(drawn)}`);
      assert.equal(drawn[at + 1], palette.find((p) => p.status === s).colour);
    }
    // The line symbols are in the colours the map draws them.
    const lines = await page.evaluate(() => [...document.querySelectorAll("#legend-items li:not([data-status]):not([data-layer])")]
      .map((li) => getComputedStyle(li.querySelector(".swatch")).borderTopColor));
    const railColour = style.layers.find((l) => l.id === "zagore-rail").paint["line-color"];
    assert.ok(lines.includes(rgb(railColour)), `rail ${railColour} among ${lines}`);
    assert.deepEqual(problems.failed, [], "failed requests");
    assert.deepEqual(problems.console, [], "console errors");
    await page.close();
  });
}

test("a register edit giving a plot a status new to the page adds it to the filters and the legend, ticked", async () => {
  const { page, problems } = await openMap(browser, partial.base, "/map?lang=en");
  assert.deepEqual((await listed(page)).filters, ["reserved", "sold"]);
  const plot = JSON.parse(readFileSync(path.join(partialDir, "plots.geojson"), "utf8")).features[0].properties.cadastral_id;
  const url = `${partial.base}/collections/plots/items/${plot}`;
  const etag = (await fetch(url)).headers.get("etag");
  const resp = await fetch(url, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${token}`, "If-Match": etag, "Content-Type": "application/merge-patch+json" },
    body: JSON.stringify({ status: "available" }),
  });
  assert.equal(resp.status, 200, await resp.text());
  // The page polls every 2 s.
  await page.waitForFunction(() => document.querySelector("#status-filter input[value=available]"), null, { timeout: 8000 });
  const shown = await listed(page);
  assert.deepEqual(shown.filters, ["available", "reserved", "sold"]);
  assert.deepEqual(shown.legend.map((l) => l[0]), ["available", "reserved", "sold"]);
  assert.equal(await page.isChecked("#status-filter input[value=available]"), true);
  assert.deepEqual(problems.console, []);
  await page.close();
});

test("the legend shows the manifest's utilities layer in its style colour, in both languages", async () => {
  const style = await (await fetch(`${server.base}/style.json`)).json();
  const listed = style.metadata["zagore:layers"].find((l) => l.id === "utilities");
  assert.ok(listed, "the style lists the utilities layer");
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  const item = "#legend-items li[data-layer=utilities]";
  await page.waitForSelector(item);
  assert.equal((await page.textContent(item)).trim(), listed.title_en);
  const colour = await page.$eval(`${item} .swatch`, (s) => getComputedStyle(s).backgroundColor);
  assert.equal(colour, rgb(listed.colour));
  // The map draws it in the same colour.
  const drawn = await page.evaluate(() => window.zagore.map.getPaintProperty("zagore-utilities-line", "line-color"));
  assert.equal(String(drawn).toLowerCase(), listed.colour.toLowerCase());
  await page.click(".lang button[data-lang=bg]");
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes("Етап 2"), item);
  assert.equal((await page.textContent(item)).trim(), listed.title);
  assert.deepEqual(problems.failed, [], "failed requests");
  assert.deepEqual(problems.console, [], "console errors");
  await page.close();
});
