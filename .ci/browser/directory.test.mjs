// Browser tests of the web directory against the real server with the demo
// directory (started by .ci/check.d/50-browser.sh, which sets BASE_URL and
// PARTNER_KEY). Debian's chromium is driven by playwright-core; axe-core
// checks accessibility. Screenshots are written to ./screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const base = process.env.BASE_URL;
const partnerKey = process.env.PARTNER_KEY;
const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };
const privateOrg = "/org/bezopasny-put";
const privateContact = "m.lebedeva@bezopasny-put.example.org";

let browser;
before(async () => {
  assert.ok(base, "BASE_URL is set");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => { await browser?.close(); });

// open returns a page in a new context that records console errors and
// failed requests; finish asserts there were none.
async function open(options = {}) {
  const context = await browser.newContext({ viewport: desktop, acceptDownloads: true, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  // net::ERR_ABORTED is the browser cancelling a request itself (a new
  // navigation, a closed page), never an answer of the server's: 5xx answers
  // are caught below.
  page.on("requestfailed", (r) => {
    const reason = r.failure()?.errorText;
    if (reason !== "net::ERR_ABORTED") errors.push(`request failed: ${r.url()} ${reason}`);
  });
  page.on("response", (r) => { if (r.status() >= 500) errors.push(`${r.status()} ${r.url()}`); });
  return {
    page, context, errors,
    async finish() {
      const seen = [...errors]; // closing the context aborts what is still loading
      await context.close();
      assert.deepEqual(seen, [], "no console errors or failed requests");
    },
  };
}

async function resultNames(page) {
  return page.locator("#results ol.orgs h3 a").allTextContents();
}

test("search приют finds shelters", async () => {
  const t = await open();
  await t.page.goto(base + "/");
  await t.page.getByLabel("Название, город или что ищете").fill("приют");
  await t.page.getByRole("button", { name: "Найти" }).click();
  await t.page.waitForURL(/q=/);
  const names = await resultNames(t.page);
  assert.ok(names.length >= 3, `found ${names.length}`);
  assert.ok(names.some((n) => n.includes("Приют")), names.join(" | "));
  await t.finish();
});

test("ПРИЮТ and приют give the same list", async () => {
  const t = await open();
  await t.page.goto(base + "/?q=" + encodeURIComponent("приют"));
  const lower = await resultNames(t.page);
  await t.page.goto(base + "/?q=" + encodeURIComponent("ПРИЮТ"));
  const upper = await resultNames(t.page);
  assert.ok(lower.length > 0);
  assert.deepEqual(upper, lower);
  await t.finish();
});

// listText is what a result list shows: the total, and each organization's
// link, name, language, place (and its city's language), summary (and
// its language) and focus areas.
async function listText(page) {
  return page.locator("#results").evaluate((r) => ({
    total: r.querySelector("#total").textContent,
    items: Array.from(r.querySelectorAll("ol.orgs > li"), (li) => ({
      href: li.querySelector("h3 a").getAttribute("href"), lang: li.querySelector("h3 a").getAttribute("lang"),
      heading: li.querySelector("h3").textContent, place: li.querySelector(".place").textContent,
      cityLang: li.querySelector(".place span")?.getAttribute("lang"), acronymLang: li.querySelector(".acronym")?.getAttribute("lang"),
      summary: li.querySelector(".summary")?.textContent, summaryLang: li.querySelector(".summary")?.getAttribute("lang"), tags: Array.from(li.querySelectorAll(".tags li"), (t) => t.textContent),
    })),
    next: r.querySelector('a[rel="next"]')?.getAttribute("href"),
  }));
}

test("results update as you type, from the JSON API, as the server draws them", async () => {
  for (const prefix of ["", "/en"]) {
    const t = await open();
    await t.page.goto(base + prefix + "/");
    const before = await t.page.locator("#total").textContent();
    const fromAPI = t.page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/organizations" && r.url().includes("q="));
    await t.page.getByRole("searchbox").pressSequentially("центр", { delay: 30 });
    assert.equal((await fromAPI).status(), 200);
    await t.page.waitForURL(/q=%D1%86%D0%B5%D0%BD%D1%82%D1%80/);
    await t.page.waitForFunction((b) => document.getElementById("total").textContent !== b, before);
    const typed = await listText(t.page);
    assert.ok(typed.items.length > 1, JSON.stringify(typed));
    // The same query as a page the server renders, without script.
    await t.page.reload();
    assert.deepEqual(typed, await listText(t.page));
    await t.finish();
  }
});

test("a click on a map region filters by it", async () => {
  const t = await open();
  await t.page.goto(base + "/");
  // The largest region with organizations is the easiest to hit.
  const links = t.page.locator("svg.regions a");
  const n = await links.count();
  assert.ok(n > 10, `${n} regions link to their organizations`);
  let best = null, area = 0;
  for (let i = 0; i < n; i++) {
    const box = await links.nth(i).boundingBox();
    if (box && box.width * box.height > area) { area = box.width * box.height; best = i; }
  }
  // The outlines come from /assets/regions.svg through <use>: drawn, the
  // links have an area.
  assert.ok(best !== null && area > 100, `the map's regions are drawn (largest link ${area} px²)`);
  const link = links.nth(best);
  const href = await link.getAttribute("href");
  const code = new URL(href, base).searchParams.get("region");
  await link.click();
  await t.page.waitForURL((u) => u.searchParams.get("region") === code);
  assert.equal(await t.page.locator("#region").inputValue(), code);
  const names = await resultNames(t.page);
  assert.ok(names.length > 0, "the region has organizations");
  await t.finish();
});

test("an organization page shows its public contacts and its vCard downloads", async () => {
  const t = await open();
  await t.page.goto(base + "/org/nadezhda-nizhny-novgorod");
  await assert.doesNotReject(t.page.getByRole("heading", { level: 1, name: /Надежда/ }).waitFor());
  assert.equal(await t.page.locator('a[href="mailto:hotline@nadezhda-nizhny-novgorod.example.org"]').count(), 1);
  assert.ok(await t.page.locator('a[href^="tel:+7"]').count() >= 1);
  const [download] = await Promise.all([
    t.page.waitForEvent("download"),
    t.page.getByRole("link", { name: "Скачать контакты (vCard)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "nadezhda-nizhny-novgorod.vcf");
  const card = readFileSync(await download.path(), "utf8");
  assert.match(card, /^BEGIN:VCARD/);
  assert.match(card, /hotline@nadezhda-nizhny-novgorod\.example\.org/);
  await t.page.screenshot({ path: shots + "organization-desktop.png" });
  await t.page.setViewportSize(phone);
  await t.page.screenshot({ path: shots + "organization-phone.png", fullPage: true });
  await t.finish();
});

test("a partner signs in and sees a partners-only contact, signs out and does not", async () => {
  assert.ok(partnerKey, "PARTNER_KEY is set");
  const t = await open();
  await t.page.goto(base + privateOrg);
  assert.equal(await t.page.getByText(privateContact).count(), 0);
  await t.page.getByRole("link", { name: "Вход для партнёров" }).click();
  await t.page.getByLabel("Ключ API партнёра").fill(partnerKey);
  await t.page.getByRole("button", { name: "Войти" }).click();
  await t.page.waitForURL(base + "/");
  assert.ok(!t.page.url().includes(partnerKey), "the key is not in the URL");
  const cookies = await t.context.cookies();
  const session = cookies.find((c) => c.name === "session");
  assert.ok(session && session.httpOnly && session.sameSite === "Strict", JSON.stringify(cookies));
  assert.ok(!cookies.some((c) => c.value.includes(partnerKey)), "no cookie holds the key");
  assert.equal(await t.page.evaluate(() => document.cookie), "", "script reads no cookie");
  const storage = await t.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!storage.includes(partnerKey));
  // The key-only JSON API would show a partner the anonymous list, so the
  // page asks it nothing as they type; the form still searches.
  const asked = [];
  t.page.on("request", (r) => { if (new URL(r.url()).pathname.startsWith("/api/")) asked.push(r.url()); });
  await t.page.getByRole("searchbox").pressSequentially("приют", { delay: 30 });
  await t.page.waitForTimeout(600);
  assert.deepEqual(asked, [], "the page fetched the JSON API for a signed-in partner");
  await t.page.getByRole("button", { name: "Найти" }).click();
  await t.page.waitForURL(/q=/);
  assert.ok((await resultNames(t.page)).length > 0);

  await t.page.goto(base + privateOrg);
  await t.page.getByText(privateContact).first().waitFor();
  assert.ok(await t.page.getByText("только для партнёров").count() >= 1);

  await t.page.getByRole("button", { name: "Выйти" }).click();
  await t.page.waitForURL(base + "/");
  await t.page.goto(base + privateOrg);
  assert.equal(await t.page.getByText(privateContact).count(), 0);
  await t.finish();
});

test("the language switch changes every label and the names", async () => {
  const t = await open();
  await t.page.goto(base + "/org/nadezhda-nizhny-novgorod");
  assert.equal(await t.page.locator("html").getAttribute("lang"), "ru");
  await t.page.getByRole("link", { name: "English" }).click();
  await t.page.waitForURL(base + "/en/org/nadezhda-nizhny-novgorod");
  assert.equal(await t.page.locator("html").getAttribute("lang"), "en");
  await t.page.getByRole("heading", { level: 1, name: /Hope Centre of Nizhny Novgorod/ }).waitFor();
  assert.ok(await t.page.getByText("How to reach them").isVisible());
  await t.page.getByRole("link", { name: "Back to all organizations" }).click();
  await t.page.waitForURL(base + "/en/");
  assert.equal(await t.page.locator('label[for="q"]').textContent(), "Name, city or what you need");
  assert.equal(await t.page.getByRole("button", { name: "Search" }).count(), 1);
  // No Cyrillic in the interface's own text: labels, headings, buttons.
  const ui = await t.page.locator("label, h1, h2, button, summary, th, caption, .total, header a:not([lang])").allTextContents();
  assert.deepEqual(ui.filter((s) => /[А-Яа-яЁё]/.test(s)), [], "untranslated labels");
  const names = await resultNames(t.page);
  assert.ok(names.includes("Amber Baltic Centre"), names.join(" | "));
  await t.page.getByRole("link", { name: "Русский" }).click();
  await t.page.waitForURL(base + "/");
  assert.equal(await t.page.locator('label[for="q"]').textContent(), "Название, город или что ищете");
  await t.finish();
});

test("the same search works with JavaScript disabled", async () => {
  const t = await open({ javaScriptEnabled: false });
  await t.page.goto(base + "/");
  await t.page.getByLabel("Название, город или что ищете").fill("ПРИЮТ");
  await t.page.getByLabel("Страна").selectOption("RU");
  await t.page.getByRole("button", { name: "Найти" }).click();
  await t.page.waitForURL(/country=RU/);
  const names = await resultNames(t.page);
  assert.ok(names.some((n) => n.includes("Приют")), names.join(" | "));
  await t.finish();
});

test("axe-core finds no violations on any page in either language", async () => {
  const t = await open();
  const paths = ["/", "/?q=приют", "/org/nadezhda-nizhny-novgorod", "/country/RU", "/signin", "/no-such-page", "/?page=1000", "/embed?region=RU-NIZ"];
  const failures = [];
  for (const p of paths.flatMap((p) => (p.startsWith("/embed") ? [p, p + "&lang=en"] : [p, "/en" + p]))) {
    await t.page.goto(base + p);
    await t.page.evaluate(axeSource);
    const result = await t.page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    }));
    for (const v of result.violations) {
      failures.push(`${p}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    }
  }
  assert.deepEqual(failures, []);
  // The 404 pages answer 404, which the browser reports on its console.
  t.errors.splice(0, t.errors.length, ...t.errors.filter((e) => !e.includes("status of 404")));
  await t.finish();
});

test("every control works by keyboard with a visible focus", async () => {
  const t = await open();
  await t.page.goto(base + "/");
  await t.page.keyboard.press("Tab");
  assert.equal(await t.page.evaluate(() => document.activeElement.className), "skip");
  await t.page.keyboard.press("Enter");
  await t.page.keyboard.press("Tab");
  // The first control after the skip link has a visible focus outline.
  const outline = await t.page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { tag: document.activeElement.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.notEqual(outline.style, "none", JSON.stringify(outline));
  assert.ok(outline.width >= 2, JSON.stringify(outline));
  // The search form submits from the keyboard.
  await t.page.locator("#q").focus();
  await t.page.keyboard.type("приют");
  await t.page.keyboard.press("Enter");
  await t.page.waitForURL(/q=/);
  assert.ok((await resultNames(t.page)).length > 0);
  await t.finish();
});

test("pages hold at 200% zoom and at phone width", async () => {
  for (const [name, viewport] of [["desktop", desktop], ["phone", phone]]) {
    const t = await open({ viewport });
    await t.page.goto(base + "/");
    const overflow = await t.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
    await t.page.screenshot({ path: shots + `directory-${name}.png` });
    await t.page.screenshot({ path: shots + `directory-${name}-full.png`, fullPage: true });
    await t.finish();
  }
  // 200% zoom of a 1280 px window is a 640 px wide CSS viewport.
  const t = await open({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 });
  for (const p of ["/", "/org/nadezhda-nizhny-novgorod", "/country/RU"]) {
    await t.page.goto(base + p);
    const overflow = await t.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${p} at 200%: scrolls sideways by ${overflow}px`);
  }
  await t.page.goto(base + "/");
  await t.page.screenshot({ path: shots + "directory-zoom200.png" });
  await t.finish();
});
