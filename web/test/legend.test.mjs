// The legend lists every layer the data folder's manifest adds (the bundled `utilities`),
// titled in the page's language and in the colour the style draws it in, as text.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openMap, startServer } from "../testing/harness.mjs";

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

test("the legend shows the manifest's utilities layer in its style colour, in both languages", async () => {
  const style = await (await fetch(`${server.base}/style.json`)).json();
  const listed = style.metadata["zagore:layers"].find((l) => l.id === "utilities");
  assert.ok(listed, "the style lists the utilities layer");
  const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
  const item = "#legend-items li[data-layer=utilities]";
  await page.waitForSelector(item);
  assert.equal((await page.textContent(item)).trim(), listed.title_en);
  const colour = await page.$eval(`${item} .swatch`, (s) => getComputedStyle(s).backgroundColor);
  const hex = listed.colour.slice(1).match(/../g).map((h) => parseInt(h, 16));
  assert.equal(colour, `rgb(${hex.join(", ")})`);
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
