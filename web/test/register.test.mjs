// The sales register in the browser (issue 15): a member of staff signs in with a token,
// changes a plot from available to reserved on its card; a second, anonymous page shows the
// plot in the new status (so in the new colour, which the style takes from the status)
// within a few seconds without a reload; the history lists the change; someone saving first
// is said in words. The server runs on its own fresh register (ZAGORE_REGISTER).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchBrowser, openMap, plotItem, renderedPlots, ringCentre, root, startServer, waitIdle } from "../testing/harness.mjs";

const PLOT = "68850.520.104";
const dir = mkdtempSync(path.join(os.tmpdir(), "zagore-register-"));
process.env.ZAGORE_REGISTER = path.join(dir, "register.sqlite");
const bin = process.env.ZAGORE_BIN || path.join(root, "target/debug/zagore");

let server;
let browser;
let token;

before(async () => {
  token = execFileSync(bin, ["user", "add", "tester", "--role", "editor"], { env: process.env, stdio: ["ignore", "pipe", "ignore"] })
    .toString()
    .trim();
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(page) {
  await page.click("#staff summary");
  await page.fill("#staff-token", token);
  await page.click("#staff-sign-in button[type=submit]");
  await page.waitForSelector("#staff-who");
}

async function statusOnMap(page) {
  const plots = await renderedPlots(page);
  return plots.find((p) => p.id === PLOT)?.status;
}

test("an editor reserves a plot; an anonymous page shows it within seconds; the history lists it", async () => {
  const item = await plotItem(server.base, PLOT);
  assert.equal(item.properties.status, "available", "the fixture");
  const centre = ringCentre(item);

  // The anonymous page, already open on the plot at full detail.
  const { page: visitor, problems: visitorProblems } = await openMap(browser, server.base, "/map?lang=en");
  await visitor.evaluate((c) => window.zagore.map.jumpTo({ center: c, zoom: 16 }), centre);
  await waitIdle(visitor);
  assert.equal(await statusOnMap(visitor), "available");
  assert.equal(await visitor.locator("#staff-edit").count(), 0, "no edit form without signing in");

  const { page, problems } = await openMap(browser, server.base, `/map?plot=${PLOT}&lang=en`);
  await signIn(page);
  await page.waitForSelector("#staff-edit");
  assert.equal(await page.inputValue("#edit-status"), "available");
  await page.selectOption("#edit-status", "reserved");
  await page.fill("#edit-reason", "letter of intent");
  await page.click("#staff-save");
  await page.waitForFunction(() => document.querySelector("#staff-message")?.textContent === "Saved.");

  // The anonymous page follows without a reload, within a few seconds.
  const started = Date.now();
  await visitor.waitForFunction(
    (id) => window.zagore.map.queryRenderedFeatures({ layers: ["zagore-plots-fill"] })
      .some((f) => f.properties.cadastral_id === id && f.properties.status === "reserved"),
    PLOT,
    { timeout: 10_000 },
  );
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 6, `shown after ${seconds} s`);
  // The editor's own card says so too, and the history lists the change.
  await page.waitForFunction(() => document.querySelector("#card .status")?.textContent === "reserved");
  const history = await page.textContent("#staff-history-list");
  assert.match(history, /tester/);
  assert.match(history, /available → reserved/);
  assert.match(history, /letter of intent/);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(visitorProblems.console, []);
  await page.close();
  await visitor.close();
});

test("a bad value is named in the form, and someone saving first is said in words", async () => {
  const { page } = await openMap(browser, server.base, `/map?plot=${PLOT}&lang=en`);
  await signIn(page);
  await page.waitForSelector("#staff-edit");
  // The browser's own check stops a negative price; a value the server refuses is named.
  await page.fill("#edit-reserved_until", "");
  await page.evaluate(() => {
    const input = document.querySelector("#edit-price_eur_m2");
    input.removeAttribute("min");
    input.value = "-5";
  });
  await page.click("#staff-save");
  await page.waitForFunction(() => /Price, EUR\/m²/.test(document.querySelector("#staff-message")?.textContent || ""));
  assert.equal(await page.getAttribute("#edit-price_eur_m2", "aria-invalid"), "true");

  // Someone else saves (a script with the same token) while the form is open.
  const fresh = await fetch(`${server.base}/collections/plots/items/${PLOT}`);
  const resp = await fetch(`${server.base}/collections/plots/items/${PLOT}`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${token}`, "If-Match": fresh.headers.get("etag"), "Content-Type": "application/merge-patch+json" },
    body: JSON.stringify({ notes_en: "saved by a script" }),
  });
  assert.equal(resp.status, 200);
  await page.fill("#edit-price_eur_m2", "30");
  await page.click("#staff-save");
  await page.waitForFunction(() => /Someone else saved/.test(document.querySelector("#staff-message")?.textContent || ""));
  assert.equal(await page.inputValue("#edit-notes_en"), "saved by a script", "their data is shown");
  await page.close();
});
