// The measure tool (hardening issue, viewer finding 3): the area and perimeter of clicked
// points do not depend on the order of the clicks, and agree with an independent geodesic
// computation on the WGS84 ellipsoid (GeographicLib, here in the test: not the service's
// endpoint); the closing edge is drawn, a double-click finishes without zooming, and an
// area shows its perimeter, not the open line's length.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import geodesic from "geographiclib-geodesic";
import { launchBrowser, openMap, startServer, waitIdle } from "../testing/harness.mjs";

const WGS84 = geodesic.Geodesic.WGS84;
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

/// Area (m², unsigned) and perimeter (m) of the ring through `points` ([lon, lat]) on WGS84.
function geodesicPolygon(points) {
  const polygon = WGS84.Polygon(false);
  for (const [lon, lat] of points) polygon.AddPoint(lat, lon);
  const { area, perimeter } = polygon.Compute(false, true);
  return { area: Math.abs(area), perimeter };
}

const figure = async (page, id) => Number(await page.getAttribute(`#${id}`, "data-value"));
const digits = (text) => text.replace(/[^\d]/g, "");

for (const [order, offsets] of [
  ["clockwise", [[-150, -100], [150, -100], [0, 120]]],
  ["counter-clockwise", [[0, 120], [150, -100], [-150, -100]]],
]) {
  test(`measuring a triangle clicked ${order} gives its geodesic area and perimeter`, async () => {
    const { page, problems } = await openMap(browser, server.base, "/map?lang=en");
    await page.evaluate(() => window.zagore.map.jumpTo({ center: [25.6491, 42.3701], zoom: 14.5 }));
    await waitIdle(page);
    await page.click("#measure summary");
    await page.click("#measure-toggle");
    const box = await page.locator("#map").boundingBox();
    const at = ([dx, dy]) => [box.x + box.width / 2 + dx, box.y + box.height / 2 + dy];

    // Two points: a line, with its geodesic length.
    for (const offset of offsets.slice(0, 2)) {
      await page.mouse.click(...at(offset));
      await page.waitForTimeout(350); // keep the clicks apart so they are not a double-click
    }
    await page.waitForFunction(() => document.querySelector("#measure-length")?.dataset.value);
    let points = await page.evaluate(() => window.zagore.points);
    const line = WGS84.Inverse(points[0][1], points[0][0], points[1][1], points[1][0]).s12;
    assert.ok(Math.abs((await figure(page, "measure-length")) - line) < 0.01, `length vs ${line}`);

    // The third point by a double-click, which ends the measurement without zooming.
    const zoom = await page.evaluate(() => window.zagore.map.getZoom());
    await page.mouse.dblclick(...at(offsets[2]));
    await page.waitForFunction(() => document.querySelector("#measure-area")?.dataset.value);
    await page.waitForTimeout(600);
    assert.equal(await page.evaluate(() => window.zagore.map.getZoom()), zoom, "the double-click zoomed");
    assert.equal(await page.evaluate(() => window.zagore.measuring), false);
    points = await page.evaluate(() => window.zagore.points);
    assert.equal(points.length, 3);

    const expected = geodesicPolygon(points);
    const area = await figure(page, "measure-area");
    const perimeter = await figure(page, "measure-perimeter");
    assert.ok(expected.area > 50_000, `a real triangle: ${expected.area}`);
    assert.ok(Math.abs(area - expected.area) < 0.01 + 1e-9 * expected.area, `area ${area} vs ${expected.area}`);
    assert.ok(Math.abs(perimeter - expected.perimeter) < 0.01, `perimeter ${perimeter} vs ${expected.perimeter}`);
    // What the visitor reads is those figures; no open-line length beside them.
    assert.ok(digits(await page.textContent("#measure-area")).startsWith(String(Math.round(expected.area))));
    assert.match(await page.textContent("#measure-perimeter"), /\d.*(m|km)/);
    assert.equal(await page.$("#measure-length"), null, "an area shows its perimeter, not the line's length");

    // The drawn outline is closed: the edge back to the first point is on the map.
    const lines = await page.evaluate(async () => {
      const data = await window.zagore.map.getSource("zagore-measure").getData();
      return data.features.filter((f) => f.geometry.type === "LineString").map((f) => f.geometry.coordinates);
    });
    assert.equal(lines.length, 1);
    assert.equal(lines[0].length, 4);
    assert.deepEqual(lines[0][3], lines[0][0]);

    assert.deepEqual(await page.evaluate(() => window.zagore.errors), []);
    assert.deepEqual(problems.failed, []);
    assert.deepEqual(problems.console, []);
    await page.close();
  });
}
