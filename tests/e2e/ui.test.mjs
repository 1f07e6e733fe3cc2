// End-to-end test of the web interface in headless Chromium: sign in, upload the GBK
// sample register, see its totals, open an asset, record a maintenance entry, reconcile
// with the sample declaration; a village clerk signs in and sees the village only; the
// village's public notice; a village worker records a stock-take result on a phone.
// Then each role (admin, clerk, auditor, reader, approver and a village clerk) visits
// every page it can reach, following the links of the pages from the overview (the
// stock-take's among them), and every page is checked: money with thousands separators and two
// decimals, no UTC time, no code word of any enum (the words read from the server's
// OpenAPI document and the hidden `codes` command). Screenshots of every page go to
// target/e2e-screenshots/, and one set on a 390×844 phone screen.
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
  // This run's screenshots only.
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // A county that has distributions approved by the town and then the county.
  server = spawn(binary, ["--database", database, "serve", "--port", String(port), "--public"], {
    env: {
      ...process.env,
      ROCKET_LOG_LEVEL: "critical",
      ROCKET_APPROVALS: "disposed=town,county; income_distributed=town,county; ownership_transferred=county",
    },
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
  // A debug build on a loaded two-core machine: /verify alone may take over 30 s.
  page.setDefaultTimeout(90_000);
  page.setDefaultNavigationTimeout(90_000);
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  rmSync(folder, { recursive: true, force: true });
});

test("a clerk signs in, imports, records, and reconciles", { timeout: 300_000 }, async () => {
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

test("the interface works on a phone-sized screen", { timeout: 120_000 }, async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  await phone.goto(`${base}/login`);
  await phone.fill("input[name=token]", token);
  await Promise.all([phone.waitForURL(`${base}/`), phone.click("button[type=submit]")]);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 420, `no horizontal overflow of the page (scrollWidth ${width})`);
  await phone.screenshot({ path: join(shots, "10-phone-overview.png"), fullPage: true });
  await phone.close();
});

test("a village clerk sees only the village; its public notice shows no ID", { timeout: 120_000 }, async () => {
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

test("a village worker records a stock-take result on a phone", { timeout: 300_000 }, async () => {
  const api = (path, init = {}) =>
    fetch(`${base}/api/v1${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });
  const opened = await api("/stocktakes", { method: "POST", body: JSON.stringify({ name: "2026年度资产清查", year: 2026 }) });
  assert.equal(opened.status, 201);
  const id = (await opened.json()).stocktake.id;
  const place = `town=${encodeURIComponent("丰仪镇")}&village=${encodeURIComponent("下白村")}`;
  const list = await (await api(`/stocktakes/${id}/checklist?${place}`)).json();
  assert.ok(list.items.length > 0, "the village has assets to check");
  const asset = list.items[0];
  const worker = execFileSync(
    binary,
    ["--database", database, "token", "create", "--role", "clerk", "--name", "下白村盘点员", "--scope", "village:丰仪镇/下白村"],
    { encoding: "utf8" },
  ).trim();
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  phone.setDefaultTimeout(90_000);
  phone.setDefaultNavigationTimeout(90_000);
  await signIn(phone, worker);
  await phone.click("nav >> text=年度盘点");
  await Promise.all([phone.waitForURL(/\/stocktakes\/[0-9a-f-]+$/), phone.click("main table a")]);
  await Promise.all([phone.waitForURL(/\/check$/), phone.click("text=现场盘点（手机）")]);
  await phone.fill("input[name=q]", asset.asset_code);
  await Promise.all([phone.waitForURL(/\?q=/), phone.click("form.filters button[type=submit]")]);
  const form = phone.locator("form.stocktake-result").first();
  assert.match(await form.textContent(), new RegExp(asset.asset_code.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  await form.locator("select[name=result]").selectOption("idle");
  await form.locator("input[name=note]").fill("暂未使用");
  await Promise.all([phone.waitForURL(/done=/), form.locator("button[type=submit]").click()]);
  assert.match(await phone.textContent("main"), /已记录资产 .* 的盘点结果/);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 420, `the phone page fits the screen (scrollWidth ${width})`);
  await phone.screenshot({ path: join(shots, "14-phone-stocktake-recorded.png"), fullPage: true });
  await phone.close();
  const after = await (await api(`/stocktakes/${id}/checklist?${place}`)).json();
  const recorded = after.items.find((item) => item.asset_code === asset.asset_code);
  assert.equal(recorded.result, "idle");
  assert.match(recorded.checked_on, /^\d{4}-\d{2}-\d{2}$/);
});

test("a distribution goes from proposal through its notice to the town's and then the county's approval", { timeout: 300_000 }, async () => {
  const api = async (path, init = {}) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
    });
    return { status: response.status, body: await response.json() };
  };
  const listed = await api("/assets?class=operating&limit=1");
  assert.equal(listed.status, 200);
  const asset = listed.body.items[0];
  assert.ok(asset?.village, "an operating asset in a village");
  const income = await api(`/assets/${encodeURIComponent(asset.code)}/ledger`, {
    method: "POST",
    body: JSON.stringify({ kind: "income", occurred_on: "2024-12-01", amount: "1000.00", period: "2024" }),
  });
  assert.equal(income.status, 201, JSON.stringify(income.body));
  const ago = (days) => new Date(Date.now() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10);

  // The clerk (here the admin) proposes the distribution from the asset page.
  const clerk = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  clerk.setDefaultTimeout(90_000);
  await clerk.goto(`${base}/login`);
  await clerk.fill("input[name=token]", token);
  await Promise.all([clerk.waitForURL(`${base}/`), clerk.click("button[type=submit]")]);
  await clerk.goto(`${base}/assets/${encodeURIComponent(asset.code)}`);
  const form = clerk.locator("details[data-kind=income_distributed]");
  await form.locator("summary").click();
  await form.locator("input[name=occurred_on]").fill("2025-01-05");
  await form.locator("input[name=amount]").fill("300.00");
  await form.locator("input[name=period]").fill("2024");
  await form.locator("input[name=recipients]").fill("2");
  await form.locator("textarea[name=lines]").fill("张三,,100.00\n李四,,200.00");
  await Promise.all([clerk.waitForURL(/\/proposals\/[0-9a-f-]+\?done=proposed$/), form.locator("button[type=submit]").click()]);
  assert.match(await clerk.textContent(".flash.ok"), /已提交审批/);
  assert.match(await clerk.textContent("main"), /镇街审批：待审批/);
  const proposal = new URL(clerk.url()).pathname;
  await clerk.screenshot({ path: join(shots, "14-proposal.png"), fullPage: true });

  // The notice, recorded after it went up nine days ago for seven days.
  const notice = clerk.locator(`form[action='${proposal}/notices']`);
  await notice.locator("input[name=place]").fill("村务公开栏");
  await notice.locator("input[name=starts_on]").fill(ago(9));
  await notice.locator("input[name=days]").fill("7");
  await Promise.all([clerk.waitForURL(/done=notice$/), notice.locator("button[type=submit]").click()]);
  const printHref = await clerk.getAttribute("a:text('打印公示单')", "href");
  await clerk.goto(`${base}${printHref}`);
  const printed = await clerk.textContent("body");
  assert.match(printed, /本县.*收益分配公示/);
  assert.match(printed, /张三[\s\S]*100\.00[\s\S]*李四[\s\S]*200\.00/);
  await clerk.screenshot({ path: join(shots, "15-printed-notice.png"), fullPage: true });
  const board = await clerk.goto(`${base}/public/${encodeURIComponent(asset.town)}/${encodeURIComponent(asset.village)}`);
  assert.equal(board.status(), 200);
  const open = await clerk.textContent("#notices");
  assert.match(open, /收益分配/);
  assert.match(open, /张三/);
  await clerk.close();

  // The town's approver approves; the county's step is still to come.
  const approverToken = execFileSync(
    binary,
    ["--database", database, "token", "create", "--role", "approver", "--name", "镇审批人", "--scope", `town:${asset.town}`],
    { encoding: "utf8" },
  ).trim();
  const approver = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  approver.setDefaultTimeout(90_000);
  await approver.goto(`${base}/login`);
  await approver.fill("input[name=token]", approverToken);
  await Promise.all([approver.waitForURL(`${base}/`), approver.click("button[type=submit]")]);
  await approver.click("nav >> text=待审批");
  await approver.click(`a[href='${proposal}']`);
  await Promise.all([approver.waitForURL(/done=approved$/), approver.click("button:text('通过（镇街审批）')")]);
  const halfway = await approver.textContent("main");
  assert.match(halfway, /镇街审批：已通过，镇审批人/);
  assert.match(halfway, /县级审批：待审批/);
  assert.doesNotMatch(halfway, /已记入台账/);
  await approver.screenshot({ path: join(shots, "16-town-approved.png"), fullPage: true });
  await approver.close();
  const before = await api(`/assets/${encodeURIComponent(asset.code)}/ledger?limit=1000`);
  assert.equal(before.body.items.at(-1).kind, "income", "nothing appended before the county's approval");

  // The county's approver approves the last step: the entry enters the ledger.
  const countyToken = execFileSync(
    binary,
    ["--database", database, "token", "create", "--role", "approver", "--name", "县审批人", "--scope", "county"],
    { encoding: "utf8" },
  ).trim();
  const county = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  county.setDefaultTimeout(90_000);
  await county.goto(`${base}/login`);
  await county.fill("input[name=token]", countyToken);
  await Promise.all([county.waitForURL(`${base}/`), county.click("button[type=submit]")]);
  await county.click("nav >> text=待审批");
  await county.click(`a[href='${proposal}']`);
  await Promise.all([county.waitForURL(/done=approved$/), county.click("button:text('通过（县级审批）')")]);
  const decided = await county.textContent("main");
  assert.match(decided, /县级审批：已通过，县审批人/);
  assert.match(decided, /已记入台账/);
  await county.screenshot({ path: join(shots, "17-approved.png"), fullPage: true });
  await county.close();
  const ledger = await api(`/assets/${encodeURIComponent(asset.code)}/ledger?limit=1000`);
  const last = ledger.body.items.at(-1);
  assert.equal(last.kind, "income_distributed");
  assert.deepEqual(last.data.approvals.map((a) => [a.level, a.by]), [["town", "镇审批人"], ["county", "县审批人"]]);
});

// ---------------------------------------------------------------------------------------
// Every role, every page.

/// The code words of every enum: the string values of every `enum` in the OpenAPI
/// document the running server serves, and every code the hidden `codes` command prints.
/// Only lowercase ASCII words (snake_case, or `scope:value`) count: names people chose
/// and identifiers such as asset codes are not code words.
async function codeWords() {
  const document = await (await fetch(`${base}/api/v1/openapi.json`)).json();
  const words = new Set();
  (function collect(node) {
    if (Array.isArray(node)) return node.forEach(collect);
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node.enum)) node.enum.filter((v) => typeof v === "string").forEach((v) => words.add(v));
    Object.values(node).forEach(collect);
  })(document);
  const fromOpenApi = words.size;
  for (const word of JSON.parse(execFileSync(binary, ["codes"], { encoding: "utf8" }))) words.add(word);
  const codeWord = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?::[a-z0-9_]+)?$/;
  const list = [...words].filter((w) => codeWord.test(w));
  assert.ok(fromOpenApi > 20, `the OpenAPI document lists enum values (${fromOpenApi})`);
  for (const expected of ["idle", "loss", "missing_custodian", "public_welfare", "household", "registered"]) {
    assert.ok(list.includes(expected), `${expected} is a code word`);
  }
  return new Set(list);
}

/// What is wrong with the visible text of a page: code words, UTC times, amounts not
/// written as a person writes them.
function problemsOf(text, numberCells, words) {
  const problems = [];
  const shown = new Set(text.match(/[A-Za-z0-9_:]+/g) ?? []);
  const codes = [...shown].filter((token) => words.has(token));
  if (codes.length) problems.push(`code words: ${codes.join(", ")}`);
  for (const utc of [/UTC/, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, /\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/, /[+-]00:00\b/]) {
    const found = text.match(utc);
    if (found) problems.push(`a UTC time: ${found[0]}`);
  }
  // 元: thousands separators and two decimals; 万元: separators and at least two.
  const yuan = /^-?\d{1,3}(?:,\d{3})*\.\d{2}$/;
  const wan = /^-?\d{1,3}(?:,\d{3})*\.\d{2,6}$/;
  for (const [, amount, unit] of text.matchAll(/(-?[\d,]*\d(?:\.\d+)?)\s*(万元|元)/g)) {
    if (!(unit === "元" ? yuan : wan).test(amount)) problems.push(`an amount written ${amount} ${unit}`);
  }
  for (const cell of numberCells) {
    if (cell.includes(".") && !wan.test(cell)) problems.push(`a figure written ${cell}`);
  }
  const raw = text.match(/(?<![\d,.])\d{4,}\.\d+/);
  if (raw) problems.push(`a number without thousands separators: ${raw[0]}`);
  return problems;
}

/// The kind of a page, for visiting each kind once: its path with the key of a detail
/// page left out, and the names of its query parameters (the value too for `kind` and
/// `batch`, whose pages differ by it).
function kindOf(url) {
  const path = url.pathname.replace(/^\/(assets|projects|reconcile|api\/v1\/declarations)\/[^/]+/, "/$1/*");
  const parameters = [...url.searchParams.keys()]
    .map((key) => (key === "kind" ? `kind=${url.searchParams.get(key)}` : key))
    .sort();
  return `${path}?${parameters.join("&")}`;
}

/// Whether the crawl follows a link: this server's pages, not the API (but for the
/// printable report), the static files or the public notice.
function followed(url) {
  if (url.origin !== base) return false;
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/public/")) return false;
  if (url.pathname.startsWith("/api/")) return /^\/api\/v1\/declarations\/[^/]+\/report\.html$/.test(url.pathname);
  return url.pathname !== "/login";
}

/// Signs `tab` in with `secret`.
async function signIn(tab, secret) {
  await tab.goto(`${base}/login`);
  await tab.fill("input[name=token]", secret);
  await Promise.all([tab.waitForURL(`${base}/`), tab.click("button[type=submit]")]);
}

/// Visits every page `role` reaches from the overview (each kind of page once), plus a
/// missing page; checks each (and, when `narrow`, that it fits a phone's width) and
/// screenshots it as `prefix-nn-…`. The pages visited.
async function visitAll(tab, prefix, words, extra = [], narrow = false) {
  const queue = [`${base}/`, ...extra.map((path) => `${base}${path}`)];
  const kinds = new Set();
  const visited = [];
  const failures = [];
  while (queue.length) {
    const address = queue.shift();
    const url = new URL(address);
    const kind = kindOf(url);
    if (kinds.has(kind)) continue;
    kinds.add(kind);
    const response = await tab.goto(address);
    const status = response.status();
    // A page out of the role's reach answers 无权访问 (403), a missing one 未找到 (404).
    const allowed = url.pathname === "/no-such-page" ? [404] : url.pathname === "/verify" ? [200, 403] : [200];
    if (!allowed.includes(status)) failures.push(`${url.pathname}${url.search}: status ${status}`);
    const text = await tab.evaluate(() => document.body.innerText);
    const cells = await tab.locator("td.n, th.n").allInnerTexts();
    for (const problem of problemsOf(text, cells, words)) failures.push(`${url.pathname}${url.search}: ${problem}`);
    if (!url.pathname.startsWith("/api/") && (await tab.locator("header nav").count()) === 0) {
      failures.push(`${url.pathname}: no navigation`);
    }
    if (narrow) {
      const width = await tab.evaluate(() => document.documentElement.scrollWidth);
      if (width > 420) failures.push(`${url.pathname}${url.search}: wider than the phone (${width}px)`);
    }
    const name = `${prefix}-${String(visited.length + 1).padStart(2, "0")}-${kind.replace(/\*/g, "item").replace(/[^A-Za-z0-9=]+/g, "_").replace(/^_|_$/g, "") || "overview"}`;
    await tab.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    visited.push(`${url.pathname}${url.search}`);
    const links = await tab.$$eval("a[href]", (anchors) => anchors.map((a) => a.href));
    for (const link of links) {
      if (!URL.canParse(link)) continue;
      const next = new URL(link);
      next.hash = "";
      if (followed(next) && !kinds.has(kindOf(next))) queue.push(next.href);
    }
  }
  assert.deepEqual(failures, [], `${prefix}: every page reads as a person expects`);
  return visited;
}

test("the page checks catch each thing they look for", async () => {
  const words = new Set(["idle", "public_welfare", "class:operating"]);
  assert.deepEqual(problemsOf("资产价值 1,234.50 元，结果：闲置", ["12.50", "3219"], words), []);
  assert.deepEqual(problemsOf("结果：idle（class:operating）", [], words), ["code words: idle, class:operating"]);
  assert.deepEqual(problemsOf("生成时间 2026-12-01T23:03:09.116757Z", [], words), [
    "a UTC time: 2026-12-01T23:03",
    "a UTC time: 23:03:09.116757Z",
  ]);
  assert.deepEqual(problemsOf("时间 2026-12-02 07:03:09 UTC", [], words), ["a UTC time: UTC"]);
  assert.deepEqual(problemsOf("合计 369800000.00 元，3.1 万元", ["1234.5"], words), [
    "an amount written 369800000.00 元",
    "an amount written 3.1 万元",
    "a figure written 1234.5",
    "a number without thousands separators: 369800000.00",
  ]);
  assert.deepEqual(problemsOf("费用 300 元", [], words), ["an amount written 300 元"]);
});

test("every role sees every page it can reach as a person expects", { timeout: 600_000 }, async () => {
  const words = await codeWords();
  // A rejected import, so that the import page links the list of its errors.
  const broken = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人\nQ1,某项目,2020,桑镇,东村,100,Q1-1,某资产,奇怪类,100,东村\n";
  const rejected = await fetch(`${base}/api/v1/imports`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: broken });
  assert.equal(rejected.status, 422);
  const create = (role, name, scope) =>
    execFileSync(binary, ["--database", database, "token", "create", "--role", role, "--name", name, ...(scope ? ["--scope", scope] : [])], {
      encoding: "utf8",
    }).trim();
  const roles = [
    ["admin", create("admin", "管理员甲")],
    ["clerk", create("clerk", "文书乙")],
    ["auditor", create("auditor", "审计员丙")],
    ["reader", create("reader", "查阅者丁")],
    ["approver", create("approver", "审批人戊")],
    ["village-clerk", create("clerk", "下白村文书", "village:丰仪镇/下白村")],
  ];
  const reached = {};
  await Promise.all(
    roles.map(async ([role, secret]) => {
      const tab = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
      tab.setDefaultTimeout(90_000);
      tab.setDefaultNavigationTimeout(90_000);
      await signIn(tab, secret);
      reached[role] = await visitAll(tab, `role-${role}`, words, ["/no-such-page", "/verify"]);
      await tab.close();
    }),
  );
  // Each role reached the pages its menu offers, and those beyond it.
  for (const [role] of roles) {
    const pages = reached[role];
    for (const expected of ["/", "/imports", "/projects", "/assets"]) {
      assert.ok(pages.includes(expected), `${role} reached ${expected}: ${pages.join(" ")}`);
    }
    assert.ok(pages.some((p) => /^\/assets\/[^/?]+$/.test(p)), `${role} opened an asset`);
    assert.ok(pages.some((p) => /^\/projects\/[^/?]+$/.test(p)), `${role} opened a project`);
  }
  for (const role of ["admin", "auditor"]) {
    for (const expected of [/^\/imports\?batch=/, /^\/verify$/, /^\/reconcile\/[^/]+$/, /report\.html$/, /^\/findings\?kind=/]) {
      assert.ok(reached[role].some((p) => expected.test(p)), `${role} reached ${expected}`);
    }
  }
  assert.ok(!reached["village-clerk"].some((p) => p.startsWith("/reconcile")), "no reconciliation out of county scope");
});

test("the admin's pages on a phone-sized screen", { timeout: 600_000 }, async () => {
  const words = await codeWords();
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  phone.setDefaultTimeout(90_000);
  phone.setDefaultNavigationTimeout(90_000);
  await signIn(phone, token);
  const pages = await visitAll(phone, "phone-admin", words, ["/no-such-page"], true);
  assert.ok(pages.length > 10, pages.join(" "));
  await phone.close();
});
