// No data as markup (second issue, "one way through the code"): the service started on a
// copy of geodata/ where one plot's text properties are an HTML payload; the card, the search
// results and the phone layout's panel show it as text, no element is made from it and its
// handler never runs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DESKTOP, PHONE, launchBrowser, openMap, root, startServer } from "../testing/harness.mjs";

const PAYLOAD = '<img src=x onerror="window.__xss=1">';
const ID = "27214.33.1";
const FIELDS = ["upi", "access_road", "restrictions", "investor", "utilities_note", "price_note", "permitted_use", "permitted_use_en",
  "restrictions_en", "investor_en", "utilities_note_en", "price_note_en"];
let dataDir;
let server;
let browser;

before(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "zagore-xss-"));
  cpSync(path.join(root, "geodata"), dataDir, { recursive: true });
  const file = path.join(dataDir, "plots.geojson");
  const plots = JSON.parse(readFileSync(file, "utf8"));
  const plot = plots.features.find((f) => f.properties.cadastral_id === ID);
  for (const field of FIELDS) plot.properties[field] = PAYLOAD;
  writeFileSync(file, JSON.stringify(plots));
  server = await startServer(dataDir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function assertInert(page) {
  await page.waitForTimeout(500); // an <img src=x> would have failed to load by now
  assert.equal(await page.evaluate(() => window.__xss), undefined, "the payload's handler ran");
  assert.equal(await page.locator("#panel img").count(), 0, "an element was made from the data");
}

for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`the card shows markup in the data as text (${name})`, async () => {
    const { page } = await openMap(browser, server.base, `/map?plot=${ID}&lang=en`, viewport);
    await page.waitForFunction(() => document.querySelector("#card-upi"));
    assert.equal(await page.textContent("#card-upi"), PAYLOAD);
    assert.ok((await page.textContent("#card-utilities")).includes(PAYLOAD));
    const card = await page.textContent("#card");
    assert.ok(card.split(PAYLOAD).length - 1 >= 6, card);
    await assertInert(page);
    await page.close();
  });
}

test("search results show markup in the data as text", async () => {
  const { page } = await openMap(browser, server.base, "/map?lang=en");
  await page.fill("#search-input", "27214.33");
  await page.click("#search button[type=submit]");
  await page.waitForFunction(() => document.querySelectorAll("#search-results button").length > 1);
  const labels = await page.locator("#search-results button").allTextContents();
  assert.ok(labels.includes(`${ID} — ${PAYLOAD}`), labels.join("\n"));
  await page.locator("#search-results button", { hasText: `${ID} — ` }).click();
  await page.waitForFunction((id) => document.querySelector("#card-id")?.textContent === id, ID);
  assert.equal(await page.textContent("#card-upi"), PAYLOAD);
  await assertInert(page);
  await page.close();
});
