// End-to-end harness: a real `rapport serve` on a temporary database and a free port, serving
// the built web/dist, with an owner and a viewer account; Debian's chromium driven headless by
// playwright-core. Each page records script errors, CSP violations and dialogs so a test can
// assert that nothing ran that should not have.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer } from '../api/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const rapportBin = process.env.RAPPORT_BIN
  ? path.resolve(process.env.RAPPORT_BIN)
  : path.join(repoRoot, 'build', 'rapport');
export const webDist = process.env.RAPPORT_WEB
  ? path.resolve(process.env.RAPPORT_WEB)
  : path.join(repoRoot, 'web', 'dist');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = process.env.SCREENSHOTS
  ? path.resolve(process.env.SCREENSHOTS)
  : path.join(repoRoot, 'build', 'screenshots');

export const USERS = {
  owner: { email: 'owner@example.com', password: 'e2e-owner-Passw0rd!', role: 'owner' },
  viewer: { email: 'viewer@example.com', password: 'e2e-viewer-Passw0rd!', role: 'viewer' },
};

// Why the suite cannot run here, or null.
export function missingPrerequisite() {
  if (!existsSync(rapportBin)) return `server binary not found: ${rapportBin} (make build)`;
  if (!existsSync(path.join(webDist, 'index.html'))) return `web UI not built: ${webDist}/index.html (make build)`;
  if (!existsSync(chromiumPath)) return `chromium not found at ${chromiumPath} (bash scripts/install-deps.sh)`;
  return null;
}

function addUser(dataDir, { email, password, role }) {
  execFileSync(rapportBin, ['user', 'add', '--data', dataDir, '--email', email, '--role', role, '--password-stdin'], {
    input: `${password}\n`,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}

// Starts the server with both users and an owner API key (srv.apiKey) for seeding data.
export async function startApp() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rapport-e2e-'));
  for (const u of Object.values(USERS)) addUser(dataDir, u);
  // auth: true makes startServer create an owner API key (srv.apiKey) before the start.
  const srv = await startServer({ dataDir, auth: true, extraArgs: ['--web', webDist] });
  srv.ownsDir = true;
  srv.api = async (method, p, body) => {
    const res = await fetch(`${srv.baseUrl}/api/v1${p}`, {
      method,
      headers: { Authorization: `Bearer ${srv.apiKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    if (!res.ok) throw new Error(`${method} ${p} -> ${res.status}: ${text}`);
    return json;
  };
  return srv;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

// A fresh browser context (own cookies) at 1280 px. `page.problems` collects uncaught
// exceptions, console errors (CSP violations appear there) and every dialog (dismissed).
export async function newPage(browser, srv, { width = 1280, height = 860 } = {}) {
  const context = await browser.newContext({ baseURL: srv.baseUrl, viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.problems = { errors: [], console: [], dialogs: [] };
  page.on('pageerror', (e) => page.problems.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.console.push(m.text());
  });
  page.on('dialog', async (d) => {
    page.problems.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  return page;
}

// Console errors that are not an expected API refusal (the app logs nothing else).
export function unexpectedConsole(page) {
  return page.problems.console.filter((t) => !/Failed to load resource: the server responded with a status of (4\d\d)/.test(t));
}

export async function login(page, user) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

// The CSRF token of the page's session (for API calls made with the browser's cookie).
export async function csrfToken(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/v1/auth/me', { headers: { Accept: 'application/json' } });
    const me = await r.json();
    return me.csrf_token;
  });
}
