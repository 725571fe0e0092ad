// Accessibility in a real browser: axe-core (pinned in package.json) checks every main page in
// Hindi and English, and no serious or critical violation may remain; the counter's collect flow
// works with the keyboard alone. Screenshots of the report pages and the state dashboard are kept
// as artefacts. axe runs through DevTools' evaluate, so the pages' CSP (default-src 'self')
// stays as it is.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { DEMO_PASSWORD, startPalika, demoOtp, newBrowser, screenshot } = require('./palika.js');

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let palika;
before(async () => {
  palika = await startPalika();
});
after(async () => {
  if (palika) await palika.stop();
});

// axe's serious and critical violations of WCAG 2.1 A/AA and its best practices on the page.
async function violations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

async function setLang(context, lang) {
  await context.addCookies([{ name: 'palika_lang', value: lang, url: palika.url }]);
}

async function signIn(page, username) {
  await page.goto(palika.url + '/staff');
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.fill('#otp', demoOtp(palika.dataDir, username));
  await Promise.all([page.waitForNavigation(), page.click('form[action="/staff/sign-in"] button')]);
}

// Visits each path in both languages and collects what axe finds; `shots` names screenshots.
async function audit(context, page, paths, shots = {}) {
  const found = [];
  for (const lang of ['hi', 'en']) {
    await setLang(context, lang);
    for (const path of paths) {
      const response = await page.goto(palika.url + path);
      assert.ok(response.status() < 500, `${path}: ${response.status()}`);
      assert.equal(await page.getAttribute('html', 'lang'), lang, path);
      const body = await response.body();
      assert.ok(body.length < 100 * 1024, `${path} is ${body.length} bytes`);
      for (const v of await violations(page)) found.push(`${lang} ${path}: ${v}`);
      if (shots[path]) await screenshot(page, `${shots[path]}-${lang}`);
    }
  }
  return found;
}

test('axe finds no serious or critical problem on the main pages, in Hindi and English', async () => {
  const found = [];
  const citizen = await newBrowser();
  try {
    const page = await citizen.newPage();
    found.push(...await audit(citizen, page, [
      '/', '/u/0152', '/u/0152?q=sharma', '/u/0152/p/01-000001', '/verify', '/verify/not-a-code',
      '/staff', '/u/9999',
    ]));
    // Online payment (the demo's sandbox gateway): the gateway's page and the outcome.
    for (const lang of ['hi', 'en']) {
      await setLang(citizen, lang);
      // The first property with dues to pay (the demo has paid some).
      let n = 1;
      for (; n <= 30; n++) {
        await page.goto(`${palika.url}/u/0152/p/02-${String(n).padStart(6, '0')}`);
        if (await page.locator('#pay-online').count() === 1) break;
      }
      assert.ok(n <= 30, 'no demo property in ward 2 has dues to pay online');
      await Promise.all([page.waitForNavigation(), page.click('#pay-online')]);
      for (const v of await violations(page)) found.push(`${lang} ${new URL(page.url()).pathname}: ${v}`);
      await Promise.all([page.waitForNavigation(), page.click('#sandbox-success')]);
      assert.match(new URL(page.url()).pathname, /^\/u\/0152\/online\//);
      for (const v of await violations(page)) found.push(`${lang} ${new URL(page.url()).pathname}: ${v}`);
    }
  } finally {
    await citizen.close();
  }
  const cashier = await newBrowser();
  try {
    const page = await cashier.newPage();
    await signIn(page, 'sehore.cashier');
    found.push(...await audit(cashier, page, [
      '/staff/0276', '/staff/0276?q=1', '/staff/0276/p/01-000001', '/staff/0276/day-close',
      '/staff/0152',
    ]));
  } finally {
    await cashier.close();
  }
  const accountant = await newBrowser();
  try {
    const page = await accountant.newPage();
    await signIn(page, 'indore.accountant');
    found.push(...await audit(accountant, page, [
      '/staff', '/staff/0152/reports/collections', '/staff/0152/reports/dcb',
      '/staff/0152/reports/trial-balance', '/staff/0152/reports/collections?from=bad',
    ], {
      '/staff/0152/reports/collections': 'report-collections',
      '/staff/0152/reports/dcb': 'report-dcb',
      '/staff/0152/reports/trial-balance': 'report-trial-balance',
    }));
  } finally {
    await accountant.close();
  }
  // The back office (register, returns, demand, users) as Indore's administrator.
  const office = await newBrowser();
  try {
    const page = await office.newPage();
    await signIn(page, 'indore.admin');
    found.push(...await audit(office, page, [
      '/staff?home=1', '/staff/0152/register', '/staff/0152/register?q=sharma',
      '/staff/0152/register/new', '/staff/0152/register/01-000001',
      '/staff/0152/register/01-000001/correct', '/staff/0152/register/01-000001/history',
      '/staff/0152/register/01-000001/returns', '/staff/0152/demand', '/staff/0152/users',
    ]));
  } finally {
    await office.close();
  }
  const state = await newBrowser();
  try {
    const page = await state.newPage();
    await signIn(page, 'state.admin');
    found.push(...await audit(state, page, ['/staff', '/state'], { '/state': 'dashboard' }));
    // The dashboard's states are in words, not colour alone.
    assert.match(await page.textContent('table.dashboard tbody'), /Red: act now|Green: all well|Amber/);
  } finally {
    await state.close();
  }
  assert.deepEqual(found, []);
});

test('a cashier takes a payment with the keyboard alone', async () => {
  const browser = await newBrowser();
  try {
    const page = await browser.newPage();
    await setLang(browser, 'en');
    await page.goto(palika.url + '/staff');
    // The username field has the focus; Tab moves through the form in reading order.
    await page.keyboard.type('indore.cashier');
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type(demoOtp(palika.dataDir, 'indore.cashier'));
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).pathname, '/staff/0152');
    // The search field has the focus.
    await page.keyboard.type('01-000002');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    // Tab to the first result and open it.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const href = await page.evaluate(() => document.activeElement.getAttribute('href') || '');
      if (href.includes('/p/')) break;
    }
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(new URL(page.url()).pathname, /^\/staff\/0152\/p\/01-000002$/);
    // The amount has the focus (palika.js selects it): type over it and press Enter.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'amount');
    await page.keyboard.type('250');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(new URL(page.url()).pathname, /^\/staff\/0152\/receipts\/0152-/);
    assert.match(await page.textContent('dd.amount'), /₹250\.00/);
    await screenshot(page, 'keyboard-receipt');
    // The receipt page passes axe too.
    assert.deepEqual(await violations(page), []);
  } finally {
    await browser.close();
  }
});
