// What the browser tests share: the real `palika` binary serving a fresh demo data directory on a
// free port, its demo one-time codes, and Debian's chromium driven by playwright-core.
//
// Environment: PALIKA_BINARY (default ../../build-asan/palika), PALIKA_E2E_SCREENSHOTS (default
// ../../build-asan/e2e-screenshots), CHROMIUM (default /usr/bin/chromium).
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const root = path.resolve(__dirname, '..', '..');
const binary = process.env.PALIKA_BINARY || path.join(root, 'build-asan', 'palika');
const screenshots =
  process.env.PALIKA_E2E_SCREENSHOTS || path.join(root, 'build-asan', 'e2e-screenshots');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

const DEMO_PASSWORD = 'palika-demo-2026';

// Starts `palika serve` on a fresh demo data directory; resolves to {url, dataDir, stop()}.
async function startPalika() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'palika-e2e-'));
  const dataDir = path.join(tmp, 'data');
  execFileSync(binary, ['init', '--data', dataDir, '--demo', '--demo-properties', '300'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const log = fs.openSync(path.join(tmp, 'serve.log'), 'w');
  const child = spawn(binary, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', log],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('palika did not start: ' + out)), 60000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`palika exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  const stop = () =>
    new Promise((resolve) => {
      child.removeAllListeners('exit');
      child.on('exit', () => {
        if (!process.env.PALIKA_KEEP_TEST_DIRS) fs.rmSync(tmp, { recursive: true, force: true });
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { url, dataDir, stop };
}

// The demo account's current one-time code, from `palika demo-otp`.
function demoOtp(dataDir, username) {
  return execFileSync(binary, ['demo-otp', '--data', dataDir, '--username', username])
    .toString()
    .trim();
}

// A new chromium with a fresh profile (its own cookies); close it with context.close().
async function newBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'palika-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return context;
}

// Saves a full-page screenshot as a test artefact; returns its path.
async function screenshot(page, name) {
  fs.mkdirSync(screenshots, { recursive: true });
  const file = path.join(screenshots, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// The financial year of today in India, "2026-27".
function currentFy() {
  const ist = new Date(Date.now() + 5.5 * 3600 * 1000);
  const y = ist.getUTCFullYear();
  const start = ist.getUTCMonth() >= 3 ? y : y - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

// Today in India as dd/mm/yyyy.
function todayIndian() {
  const ist = new Date(Date.now() + 5.5 * 3600 * 1000);
  const dd = String(ist.getUTCDate()).padStart(2, '0');
  const mm = String(ist.getUTCMonth() + 1).padStart(2, '0');
  return `${dd}/${mm}/${ist.getUTCFullYear()}`;
}

module.exports = {
  DEMO_PASSWORD, startPalika, demoOtp, newBrowser, screenshot, currentFy, todayIndian,
};
