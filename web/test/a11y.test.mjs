// Accessibility (hardening issue, viewer finding 6): axe-core finds no serious or critical
// violation on the page with a plot card open (the status pill's contrast among them), every
// status pill is readable (4.5:1), the page has a `main` landmark, and the first tab stop is
// a skip link to the panel, not the map canvas.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { DESKTOP, PHONE, launchBrowser, startServer, waitIdle } from "../testing/harness.mjs";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
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

/// The viewer with a card open; axe is injected as a test tool (past the page's CSP).
async function openWithCard(id, viewport, lang = "bg") {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/map?plot=${id}&lang=${lang}`);
  await page.waitForFunction(() => window.zagore?.ready && document.querySelector("#card-motorway")?.textContent.length > 0, null, { timeout: 30_000 });
  await waitIdle(page);
  return { page, context };
}

async function seriousViolations(page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ") + " " + (n.failureSummary || "")).join(" | ")}`);
}

// One plot of each status: available, reserved, pre-contracted, sold.
const PLOTS = ["27214.30.17", "68850.520.108", "27214.33.1", "68850.520.101"];

test("no serious or critical axe violation with a card open, for every status, on desktop and phone", async () => {
  const statuses = new Set();
  for (const [viewport, lang] of [[DESKTOP, "bg"], [PHONE, "en"]]) {
    for (const id of PLOTS) {
      const { page, context } = await openWithCard(id, viewport, lang);
      statuses.add(await page.evaluate(() => window.zagore.card.status));
      assert.deepEqual(await seriousViolations(page), [], `plot ${id}, ${viewport.width} px, ${lang}`);
      await context.close();
    }
  }
  assert.deepEqual([...statuses].sort(), ["available", "pre-contracted", "reserved", "sold"]);
});

test("every status pill has at least 4.5:1 contrast", async () => {
  const { page, context } = await openWithCard(PLOTS[0], DESKTOP);
  const ratios = await page.evaluate(async () => {
    const { statusColours, pillStyle, contrast } = await import("/map/assets/modules/colours.js");
    return [...statusColours.keys()].map((s) => {
      const { background, color } = pillStyle(s);
      return [s, contrast(background, color)];
    });
  });
  assert.equal(ratios.length, 4);
  for (const [status, ratio] of ratios) assert.ok(ratio >= 4.5, `${status}: ${ratio.toFixed(2)}:1`);
  await context.close();
});

test("a main landmark and a skip link as the first tab stop", async () => {
  const { page, context } = await openWithCard(PLOTS[0], DESKTOP);
  assert.equal(await page.locator("main").count(), 1);
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => ({ cls: document.activeElement.className, href: document.activeElement.getAttribute("href") }));
  assert.deepEqual(first, { cls: "skip-link", href: "#panel" });
  assert.ok(await page.locator(".skip-link").isVisible(), "the skip link shows when focused");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "panel");
  await context.close();
});
