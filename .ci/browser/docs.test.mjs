// Browser tests of the API docs pages (issue 11): Swagger UI at /docs/ over
// /openapi.yaml with a working bearer "Authorize", and the read-only
// reference at /docs/reference; neither makes a request to another origin.
// Run by .ci/check.d/50-browser.sh with BASE_URL and PARTNER_KEY.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const base = process.env.BASE_URL;
const partnerKey = process.env.PARTNER_KEY;
const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

let browser;
before(async () => {
  assert.ok(base && partnerKey, "BASE_URL and PARTNER_KEY are set");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => { await browser?.close(); });

// open returns a page that records every request it makes and its errors.
async function open() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r));
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 500) errors.push(`${r.status()} ${r.url()}`); });
  return {
    page, requests,
    async finish() {
      await context.close();
      const others = requests.filter((r) => !r.url().startsWith(base + "/") && !r.url().startsWith("data:") && !r.url().startsWith("blob:"));
      // The page's Content-Security-Policy stops what a bundle tries (Redoc's
      // attribution logo on its CDN) before it leaves the browser.
      const blocked = others.filter((r) => r.failure()?.errorText === "csp");
      if (blocked.length > 0) console.log("blocked by the page's CSP, not sent:", blocked.map((r) => r.url()).join(" "));
      const elsewhere = others.filter((r) => !blocked.includes(r)).map((r) => `${r.url()} (${r.failure()?.errorText ?? "sent"})`);
      assert.deepEqual(elsewhere, [], "no request to another origin");
      assert.deepEqual(errors, [], "no page errors or 5xx");
    },
  };
}

test("Swagger UI shows /openapi.yaml and sends the key it is given", async () => {
  const t = await open();
  await t.page.goto(base + "/docs/");
  await t.page.getByRole("heading", { name: /Coalition Directory API/ }).waitFor();
  assert.ok(t.requests.some((r) => r.url() === base + "/openapi.yaml"), "loads /openapi.yaml");
  assert.ok(!t.requests.some((r) => /doc\.json|swagger\.json/.test(r.url())), "does not load the Swagger 2.0 file");

  // Authorize with the bare key: the scheme is HTTP bearer.
  await t.page.getByRole("button", { name: /Authorize/ }).first().click();
  await t.page.locator(".modal-ux input").first().fill(partnerKey);
  await t.page.locator(".modal-ux").getByRole("button", { name: "Authorize", exact: true }).click();
  await t.page.locator(".modal-ux").getByRole("button", { name: "Close" }).click();

  // Try the list: the request carries "Authorization: Bearer <key>".
  const op = t.page.locator("#operations-organizations-listOrganizations");
  await op.locator(".opblock-summary").click();
  await op.getByRole("button", { name: "Try it out" }).click();
  const sent = t.page.waitForRequest((r) => r.url().startsWith(base + "/api/v1/organizations"));
  await op.getByRole("button", { name: "Execute" }).click();
  const request = await sent;
  assert.equal(request.headers()["authorization"], `Bearer ${partnerKey}`);
  const response = await request.response();
  assert.equal(response.status(), 200);
  await t.page.screenshot({ path: shots + "docs-swagger-ui.png" });
  await t.finish();
});

test("the reference renders the spec and its guide", async () => {
  const t = await open();
  await t.page.goto(base + "/docs/reference");
  await t.page.getByRole("heading", { name: "Getting a key" }).waitFor();
  await t.page.getByRole("heading", { name: /Coalition Directory API/ }).first().waitFor();
  await t.page.getByText("organizations", { exact: true }).first().waitFor();
  assert.ok(t.requests.some((r) => r.url() === base + "/openapi.yaml"), "loads /openapi.yaml");
  await t.page.screenshot({ path: shots + "docs-reference.png" });
  await t.finish();
});
