// Browser tests of the back office: Debian's chromium (playwright-core) against the real palika
// binary on a fresh demo data directory. An officer registers a property with a Hindi owner name
// and finds it by that name, then raises the year's demand and watches it finish; an
// administrator adds a cashier, who signs in with the one-time code set up on that page.
// Screenshots of the main pages are kept as artefacts (palika.js).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  DEMO_PASSWORD, startPalika, demoOtp, newBrowser, screenshot, currentFy,
} = require('./palika.js');

let palika;
// The officer's browser, signed in once: a one-time code is good for one sign-in only.
let officer;
before(async () => {
  palika = await startPalika();
});
after(async () => {
  if (officer) await officer.close();
  if (palika) await palika.stop();
});

async function signIn(page, username, password = DEMO_PASSWORD) {
  await page.goto(palika.url + '/staff');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.fill('#otp', demoOtp(palika.dataDir, username));
  await Promise.all([page.waitForNavigation(), page.click('form[action="/staff/sign-in"] button')]);
}

const OWNER_HI = 'सुशीला देवी चौहान';

test('an officer registers a property with a Hindi owner name and finds it', async () => {
  officer = await newBrowser();
  {
    const page = await officer.newPage();
    await signIn(page, 'indore.revenue');
    assert.equal(new URL(page.url()).pathname, '/staff');
    await screenshot(page, 'office-home');
    await Promise.all([page.waitForNavigation(), page.click('a[href="/staff/0152/register"]')]);
    await Promise.all([page.waitForNavigation(), page.click('a[href="/staff/0152/register/new"]')]);
    await page.fill('#ward', '3');
    await page.fill('#address', '7 Malviya Nagar');
    // The Hindi address left out: the form comes back with the message beside it, nothing lost.
    await page.fill('#o0_name', 'Sushila Devi Chouhan');
    await page.fill('#o0_name_hi', OWNER_HI);
    await page.fill('#o0_mobile', '9425012345');
    await page.fill('#f0_floor', '0');
    await page.fill('#f0_area', '750');
    await page.selectOption('#f0_construction', 'rcc');
    await page.selectOption('#f0_use', 'residential');
    await page.selectOption('#f0_occupancy', 'self');
    const refused = await Promise.all([
      page.waitForNavigation(), page.click('button[name="save"]'),
    ]).then(([r]) => r);
    assert.equal(refused.status(), 400);
    assert.match(await page.textContent('#address_hi-err'), /पता \(हिंदी\)/);
    assert.equal(await page.inputValue('#o0_name_hi'), OWNER_HI);
    await screenshot(page, 'office-form-error');
    await page.fill('#address_hi', '7 मालवीय नगर');
    await Promise.all([page.waitForNavigation(), page.click('button[name="save"]')]);
    assert.match(new URL(page.url()).pathname, /^\/staff\/0152\/register\/\d+-\d+$/);
    assert.match(await page.textContent('main'), new RegExp(OWNER_HI));
    await screenshot(page, 'office-property');
    const id = new URL(page.url()).pathname.split('/').pop();

    await page.goto(palika.url + '/staff/0152/register');
    await page.fill('#q', 'सुशीला चौहान');
    await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
    assert.ok(await page.isVisible(`a[href="/staff/0152/register/${id}"]`));
    await screenshot(page, 'office-register-search');

    await page.goto(palika.url + `/staff/0152/register/${id}/history`);
    assert.match(await page.textContent('main'), /दर्ज हुई/);
  }
});

test('an officer raises the demand and sees it finish; a second run changes nothing', async () => {
  assert.ok(officer, 'the officer signed in in the test before');
  {
    const page = await officer.newPage();
    await page.goto(palika.url + '/staff/0152/demand');
    await page.fill('#fy', currentFy());
    await Promise.all([page.waitForNavigation(), page.click('form[action="/staff/0152/demand"] button')]);
    assert.equal(new URL(page.url()).pathname, `/staff/0152/demand/${currentFy()}`);
    // The page reloads itself (<meta http-equiv="refresh">) until the run is over.
    await page.waitForSelector('#billed-now', { timeout: 60000 });
    assert.equal((await page.textContent('#billed-now')).trim(), '1');
    await screenshot(page, 'office-demand');

    await page.goto(palika.url + '/staff/0152/demand');
    await page.fill('#fy', currentFy());
    await Promise.all([page.waitForNavigation(), page.click('form[action="/staff/0152/demand"] button')]);
    await page.waitForSelector('#billed-now', { timeout: 60000 });
    assert.equal((await page.textContent('#billed-now')).trim(), '0');
    assert.match(await page.textContent('main'), /कुछ नहीं बदला/);
  }
});

test('an administrator adds a cashier, who signs in with the code set up there', async () => {
  const browser = await newBrowser();
  try {
    const page = await browser.newPage();
    await signIn(page, 'indore.admin');
    await page.goto(palika.url + '/staff/0152/users');
    await page.click('a[hreflang="en"]');
    await page.waitForSelector('html[lang="en"]');
    await page.fill('#username', 'indore.till2');
    await page.fill('#display_name', 'Mohan Lal');
    await page.fill('#new_password', 'counter-two-2026');
    await page.selectOption('#role', 'cashier');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/staff/0152/users"] button')]);
    assert.match(await page.textContent('.otpauth'), /^otpauth:\/\/totp\//);
    assert.ok(await page.isVisible('.enrol svg'));
    await screenshot(page, 'office-user-added');
    // No state role is offered.
    assert.equal(await page.locator('#role option[value="state_admin"]').count(), 0);
    await screenshot(page, 'office-users');

    const cashier = await newBrowser();
    try {
      const p2 = await cashier.newPage();
      await signIn(p2, 'indore.till2', 'counter-two-2026');
      assert.equal(new URL(p2.url()).pathname, '/staff/0152');
    } finally {
      await cashier.close();
    }
  } finally {
    await browser.close();
  }
});
