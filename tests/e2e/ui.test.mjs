// End-to-end test of the web interface in headless Chromium: sign in, upload the GBK
// sample register, see its totals, open an asset, record a maintenance entry, reconcile
// with the sample declaration; a village clerk signs in and sees the village only; the
// village's public notice. Screenshots go to target/e2e-screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { chromium } from "playwright-core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const binary = process.env.ASSET_REGISTRY_BIN ?? join(root, "target/debug/asset-registry");
const shots = join(root, "target/e2e-screenshots");
const folder = mkdtempSync(join(tmpdir(), "asset-registry-e2e-"));
const database = join(folder, "registry.sqlite3");
let server;
let browser;
let page;
let base;
let token;

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function waitForHealth(url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not answer ${url} within ${seconds}s`);
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(binary, ["--database", database, "serve", "--port", String(port), "--public"], {
    env: { ...process.env, ROCKET_LOG_LEVEL: "critical" },
    stdio: "inherit",
  });
  await waitForHealth(`${base}/api/v1/health`, 30);
  // `serve` created the register; `token` only opens an existing one.
  token = execFileSync(binary, ["--database", database, "token", "create", "--role", "admin", "--name", "端到端测试"], { encoding: "utf8" }).trim();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  rmSync(folder, { recursive: true, force: true });
});

test("a clerk signs in, imports, records, and reconciles", { timeout: 120_000 }, async () => {
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login$/);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  await page.fill("input[name=token]", token);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
  await shot("01-overview-empty");

  // 导入: dry run first, then commit.
  await page.click("nav >> text=导入");
  assert.equal(await page.isVisible("#import-commit"), false, "no 确认导入 before a dry run");
  await page.setInputFiles("#import-form input[type=file]", join(root, "imports/xingping_2020.gbk.csv"));
  assert.equal(await page.isVisible("#import-commit"), false, "no 确认导入 before a dry run");
  await page.click("#import-form button[type=submit]");
  await page.waitForSelector("#import-result h2");
  assert.equal(await page.textContent("#import-result h2"), "试导入结果（未写入）");
  const preview = await page.textContent("#import-result table");
  assert.match(preview, /gb18030/);
  assert.match(preview, /3219/);
  await shot("02-import-preview");
  await page.click("#import-commit");
  await page.waitForFunction(() => document.querySelector("#import-result h2")?.textContent === "已导入");
  await shot("03-import-committed");
  // The same file again: a dry run says it is already imported and links its batch.
  await page.click("#import-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#import-result h2")?.textContent === "此文件已导入");
  assert.match(await page.getAttribute("#import-result a", "href"), /^\/imports\?batch=[0-9a-f-]+$/);
  assert.equal(await page.isVisible("#import-commit"), false);
  await shot("03b-import-replayed");

  // 概览: the totals and the gap the classes leave.
  await page.click("nav >> text=概览");
  const overview = await page.textContent("main");
  for (const figure of ["369,800,000.00", "7,910,000.00", "190,750,000.00", "37,031,000.00", "134,109,000.00", "36,980.00"]) {
    assert.ok(overview.includes(figure), `overview shows ${figure}`);
  }
  await shot("04-overview-totals");

  // 资产台账 → an asset → a maintenance entry.
  await page.click("nav >> text=资产台账");
  await page.selectOption("select[name=class]", "public_welfare");
  await page.click("form.filters button[type=submit]");
  const firstAsset = page.locator("main table tbody tr td a").first();
  const code = (await firstAsset.textContent()).trim();
  await firstAsset.click();
  await page.waitForURL(new RegExp(`/assets/${code}`));
  await shot("05-asset");
  const form = page.locator("details[data-kind=maintenance]");
  await form.locator("summary").click();
  await form.locator("input[name=cost]").fill("-5");
  await form.locator("input[name=description]").fill("更换水泵密封圈");
  await form.locator("button[type=submit]").click();
  await page.waitForSelector(".field-error");
  assert.match(await page.textContent("details[data-kind=maintenance] .field-error"), /负数/);
  await shot("06-entry-error");
  const retry = page.locator("details[data-kind=maintenance]");
  await retry.locator("input[name=cost]").fill("300.00");
  await retry.locator("button[type=submit]").click();
  await page.waitForSelector(".flash.ok");
  assert.match(await page.textContent(".flash.ok"), /已记录管护\/维修/);
  assert.match(await page.textContent("ol.timeline"), /更换水泵密封圈，费用 300.00 元/);
  await shot("07-entry-recorded");

  // 对账: upload the sample declaration.
  await page.click("nav >> text=对账");
  await page.setInputFiles("form[action='/reconcile/upload'] input[type=file]", join(root, "imports/xingping_2020.declared.json"));
  await Promise.all([page.waitForURL(/\/reconcile\/[0-9a-f-]+$/), page.click("form[action='/reconcile/upload'] button[type=submit]")]);
  const report = await page.textContent("main");
  assert.match(report, /全部相符/);
  assert.match(report, /未形成资产的项目：2059 个/);
  assert.equal(await page.locator("svg.chart").count(), 2);
  await shot("08-reconciliation");

  // 校验 and sign-out.
  await page.click("nav >> text=校验");
  assert.match(await page.textContent("main"), /校验通过/);
  await shot("09-verify");
  await page.click("header form button");
  await page.waitForURL(`${base}/login`);
});

test("the interface works on a phone-sized screen", { timeout: 60_000 }, async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  await phone.goto(`${base}/login`);
  await phone.fill("input[name=token]", token);
  await Promise.all([phone.waitForURL(`${base}/`), phone.click("button[type=submit]")]);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 420, `no horizontal overflow of the page (scrollWidth ${width})`);
  await phone.screenshot({ path: join(shots, "10-phone-overview.png"), fullPage: true });
  await phone.close();
});

test("a village clerk sees only the village; its public notice shows no ID", { timeout: 60_000 }, async () => {
  const villageToken = execFileSync(
    binary,
    ["--database", database, "token", "create", "--role", "clerk", "--name", "下白村文书", "--scope", "village:丰仪镇/下白村"],
    { encoding: "utf8" },
  ).trim();
  const village = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  await village.goto(`${base}/login`);
  await village.fill("input[name=token]", villageToken);
  await Promise.all([village.waitForURL(`${base}/`), village.click("button[type=submit]")]);
  assert.equal(await village.textContent("header .scope"), "范围：村：丰仪镇下白村");
  const nav = await village.textContent("header nav");
  assert.ok(!nav.includes("对账") && !nav.includes("校验"), `no county-only pages: ${nav}`);
  await village.screenshot({ path: join(shots, "11-village-overview.png"), fullPage: true });
  await village.click("nav >> text=资产台账");
  const places = await village.locator("main table tbody tr td:nth-child(4)").allTextContents();
  assert.ok(places.length > 0, "the village's assets are listed");
  for (const place of places) {
    assert.match(place, /丰仪镇.*下白村/, `only the village: ${place}`);
  }
  await village.screenshot({ path: join(shots, "12-village-register.png"), fullPage: true });
  const reconcile = await village.goto(`${base}/reconcile`);
  assert.equal(reconcile.status(), 403);
  const notice = await village.goto(`${base}/public/${encodeURIComponent("丰仪镇")}/${encodeURIComponent("下白村")}`);
  assert.equal(notice.status(), 200);
  // Every section but the ledger head's hash, whose hex may hold long runs of digits.
  const text = (await village.locator("main section:not(#ledger)").allTextContents()).join("\n");
  assert.match(text, /资产（\d+ 项）/);
  assert.doesNotMatch(text, /\d{17}[\dX]|1[3-9]\d{9}/, "no ID or phone number");
  await village.screenshot({ path: join(shots, "13-village-public-notice.png"), fullPage: true });
  await village.close();
});
