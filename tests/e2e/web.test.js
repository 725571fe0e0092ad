// Browser tests: Debian's chromium (playwright-core) against the real palika binary serving a
// fresh demo data directory. Screenshots of the main pages are kept as artefacts (palika.js).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const {
  DEMO_PASSWORD, startPalika, demoOtp, newBrowser, screenshot, currentFy, todayIndian,
} = require('./palika.js');

let palika;
before(async () => {
  palika = await startPalika();
});
after(async () => {
  if (palika) await palika.stop();
});

// The fonts chromium used to draw the text of `selector` (DevTools' platform fonts).
async function fontsOf(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  await cdp.send('CSS.enable');
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts;
}

async function signIn(page, username) {
  await page.goto(palika.url + '/staff');
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.fill('#otp', demoOtp(palika.dataDir, username));
  await Promise.all([page.waitForNavigation(), page.click('form[action="/staff/sign-in"] button')]);
}

test('the Hindi page renders Devanagari, and the toggle switches to English', async () => {
  const browser = await newBrowser();
  try {
    const page = await browser.newPage();
    const response = await page.goto(palika.url + '/');
    assert.equal(response.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'hi');
    assert.equal((await page.textContent('h1')).trim(), 'अपना नगरीय निकाय चुनें');
    // Drawn with a Devanagari font, every glyph of it (no empty boxes).
    const fonts = await fontsOf(page, 'h1');
    assert.ok(fonts.some((f) => /Devanagari/.test(f.familyName)), JSON.stringify(fonts));
    const file = await screenshot(page, 'home-hi');
    assert.ok(fs.statSync(file).size > 5000);
    // Keyboard only: the first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');

    await Promise.all([page.waitForNavigation(), page.click('a[hreflang="en"]')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.textContent('h1')).trim(), 'Choose your urban local body');
    await screenshot(page, 'home-en');
    // Remembered: a new page in the same browser is still English.
    await page.goto(palika.url + '/u/0152');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  } finally {
    await browser.close();
  }
});

test('a citizen finds a property, sees its dues and downloads a receipt PDF', async () => {
  const browser = await newBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(palika.url + '/');
    await Promise.all([page.waitForNavigation(), page.click('a[href="/u/0152"]')]);
    // The owner's name in Devanagari finds the property.
    await page.fill('#q', 'शर्मा');
    await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
    const first = page.locator('table.results tbody tr a').first();
    const id = (await first.textContent()).trim();
    assert.match(id, /^\d{2}-\d{6}$/);
    await screenshot(page, 'search-hi');
    const response = await Promise.all([page.waitForNavigation(), first.click()]);
    assert.equal(response[0].status(), 200);
    assert.match(await page.textContent('h2#dues'), new RegExp(todayIndian().replace(/\//g, '\\/')));
    const total = (await page.textContent('p.big strong')).trim();
    assert.match(total, /^₹(\d{1,2},(\d{2},)*\d{3}|\d{1,3})\.\d{2}$/);
    assert.ok((await page.locator('table.dues tbody tr').count()) >= 1);
    // Small enough for 2G.
    const bytes = (await page.content()).length;
    assert.ok(bytes < 100 * 1024, `page is ${bytes} bytes`);
    await screenshot(page, 'property-hi');

    // A receipt of a demo payment, by its property id and number (both printed on it); the
    // number alone, or with another property's id, is refused: a receipt carries the payer's name.
    const receiptNo = `0152/${currentFy()}/C1/000001`;
    const owner = execFileSync('sqlite3', ['-readonly', palika.dataDir + '/ulb/0152.db',
      `SELECT property_id FROM payments WHERE receipt_no = '${receiptNo}'`]).toString().trim();
    assert.match(owner, /^\d{2}-\d{6}$/);
    await page.goto(palika.url + '/u/0152');
    await page.fill('#property', owner === '01-000001' ? '01-000002' : '01-000001');
    await page.fill('#no', receiptNo);
    const [refused] = await Promise.all([
      page.waitForNavigation(), page.click('form[action="/u/0152/receipt"] button')]);
    assert.equal(refused.status(), 404);
    assert.ok((await page.textContent('main')).includes('इस संपत्ति क्रमांक और रसीद क्रमांक की कोई रसीद नहीं दी जा सकती'));
    await screenshot(page, 'receipt-refused-hi');
    await page.goto(palika.url + '/u/0152');
    await page.fill('#property', owner);
    await page.fill('#no', receiptNo);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('form[action="/u/0152/receipt"] button').catch(() => {}),
    ]);
    const pdf = fs.readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
  } finally {
    await browser.close();
  }
});

// online payment
test('a citizen finds a property, pays online through the sandbox and downloads the receipt', async () => {
  const browser = await newBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(palika.url + '/u/0152');
    // The public search masks owners and mobiles, and finds a mobile only when typed in full.
    const mobile = execFileSync('sqlite3', ['-readonly', palika.dataDir + '/ulb/0152.db',
      'SELECT mobile FROM property_owners WHERE mobile IS NOT NULL ORDER BY property_id LIMIT 1'])
      .toString().trim();
    assert.match(mobile, /^[6-9]\d{9}$/);
    await page.fill('#q', mobile.slice(0, 6));
    await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
    assert.equal(await page.locator('table.results tbody tr').count(), 0);
    await page.fill('#q', mobile);
    await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
    const results = await page.textContent('table.results tbody');
    assert.ok(results.includes('******' + mobile.slice(6)), results);
    assert.ok(!results.includes(mobile), 'the full mobile is not shown');
    assert.match(results, /\*\*\*/);  // owners' names masked
    await screenshot(page, 'search-mobile-masked');

    // A property with something to pay: "Pay online" shows today's amount.
    await page.fill('#q', 'शर्मा');
    await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
    const links = await page.locator('table.results tbody tr a').evaluateAll(
      (as) => as.map((a) => a.getAttribute('href')));
    let found = null;
    for (const href of links) {
      await page.goto(palika.url + href);
      if (await page.locator('#pay-online').count()) {
        found = href;
        break;
      }
    }
    assert.ok(found, 'some property has dues to pay online');
    const amount = (await page.textContent('#pay-online')).match(/₹[\d,]+\.\d{2}/)[0];
    await screenshot(page, 'property-pay-online');

    // To the sandbox gateway, clearly marked; pay; back at Palika with the receipt.
    await Promise.all([page.waitForNavigation(), page.click('#pay-online')]);
    assert.match(new URL(page.url()).pathname, /^\/sandbox-gateway\/pay\/sbo_[0-9a-f]{32}$/);
    assert.ok((await page.textContent('main')).includes('सैंडबॉक्स — असली पैसा नहीं'));
    assert.ok((await page.textContent('#sandbox-success')).includes(amount));
    await screenshot(page, 'sandbox-gateway');
    await Promise.all([page.waitForNavigation(), page.click('#sandbox-success')]);
    await waitForPath(page, /^\/u\/0152\/online\/0152-ON-[0-9a-f]{12}$/);
    assert.ok((await page.textContent('p.ok')).includes('भुगतान प्राप्त हुआ'));
    assert.ok((await page.textContent('dd.amount')).includes(amount));
    const receiptNo = (await page.textContent('h1')).match(/0152\/\d{4}-\d{2}\/ON\/\d{6}/)[0];
    await screenshot(page, 'online-receipt');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#receipt-pdf')]);
    const pdf = fs.readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 4).toString(), '%PDF');

    // The property now lists the online payment (without its number: the public page does not
    // hand out what opens the receipt), and there is nothing left to pay online.
    await page.goto(palika.url + found);
    const listed = await page.textContent('table.payments');
    assert.ok(listed.includes(amount), listed);
    assert.ok(!listed.includes(receiptNo), listed);
    assert.equal(await page.locator('#pay-online').count(), 0);
  } finally {
    await browser.close();
  }
});

// Waits until the page's path matches `re`, whatever navigations are aborted on the way.
async function waitForPath(page, re, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(new URL(page.url()).pathname)) {
    if (Date.now() > deadline) throw new Error(`still at ${page.url()}, expected ${re}`);
    await page.waitForTimeout(100);
  }
  await page.waitForLoadState();
}

test('a cashier signs in with a one-time code, takes cash once for a double submit, gets the receipt', async () => {
  const browser = await newBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(palika.url + '/staff');
    await screenshot(page, 'sign-in');
    await signIn(page, 'indore.cashier');
    assert.match(page.url(), /\/staff\/0152$/);
    await screenshot(page, 'counter');
    await page.fill('#q', '02-000003');
    await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
    await Promise.all([page.waitForNavigation(), page.click('a[href="/staff/0152/p/02-000003"]')]);
    const paidBefore = await page.locator('table.payments tbody tr').count();
    await page.fill('#amount', '500');
    await page.check('input[name="mode"][value="cash"]');
    const key = await page.inputValue('input[name="key"]');
    const csrf = await page.inputValue('input[name="csrf"]');
    await screenshot(page, 'counter-property');

    // A double-click on "collect": two submits of the same form. The browser aborts the first
    // submit's navigation for the second one's, so wait for the page that stays (waitForURL
    // fails on the aborted one).
    await page.dblclick('#collect-form button[type="submit"]');
    await waitForPath(page, /^\/staff\/0152\/receipts\/0152-/);
    const receiptUrl = page.url().replace(/\?.*$/, '');
    assert.match(await page.textContent('h1'), /0152\/\d{4}-\d{2}\/C1\/\d{6}/);
    assert.match(await page.textContent('dd.amount'), /₹500\.00/);
    await screenshot(page, 'receipt');
    // A retry after a lost answer (the same form sent again): the same receipt, marked replayed.
    const retry = await page.request.post(palika.url + '/staff/0152/p/02-000003/collect', {
      form: { csrf, key, amount: '500', mode: 'cash', reference: '', payer: '', counter: 'C1' },
      maxRedirects: 0,
    });
    assert.equal(retry.status(), 303);
    assert.equal(retry.headers()['location'], receiptUrl.replace(palika.url, '') + '?replayed=1');

    // The receipt prints as A4 and as 80 mm.
    for (const sel of ['#pdf-a4', '#pdf-thermal']) {
      const href = await page.getAttribute(sel, 'href');
      const pdf = await page.request.get(palika.url + href);
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.equal((await pdf.body()).subarray(0, 4).toString(), '%PDF');
    }
    // Exactly one payment more on the property.
    await page.goto(palika.url + '/staff/0152/p/02-000003');
    assert.equal(await page.locator('table.payments tbody tr').count(), paidBefore + 1);

    // Sign out: the counter asks for a sign-in again.
    await Promise.all([page.waitForNavigation(), page.click('form[action="/staff/sign-out"] button')]);
    const again = await page.goto(palika.url + '/staff/0152');
    assert.equal(again.status(), 401);
  } finally {
    await browser.close();
  }
});

test('a form without its CSRF token, or with a wrong one, is refused (403)', async () => {
  const browser = await newBrowser();
  try {
    const page = await browser.newPage();
    for (const tamper of ['remove', 'wrong']) {
      await page.goto(palika.url + '/staff');
      await page.evaluate((how) => {
        const input = document.querySelector('input[name="csrf"]');
        if (how === 'remove') input.remove();
        else input.value = '0'.repeat(64);
      }, tamper);
      await page.fill('#username', 'indore.revenue');
      await page.fill('#password', DEMO_PASSWORD);
      await page.fill('#otp', '123456');
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.click('form[action="/staff/sign-in"] button'),
      ]);
      assert.equal(response.status(), 403, tamper);
      assert.match(await page.textContent('p.error'), /यह फ़ॉर्म पुराना हो गया है/);
    }
    await screenshot(page, 'csrf-refused');
  } finally {
    await browser.close();
  }
});

test("a second ULB's staff cannot open the first ULB's counter", async () => {
  const browser = await newBrowser();
  try {
    const page = await browser.newPage();
    await signIn(page, 'sehore.cashier');
    assert.match(page.url(), /\/staff\/0276$/);
    const response = await page.goto(palika.url + '/staff/0152');
    assert.equal(response.status(), 403);
    assert.match(await page.textContent('p.error'), /इंदौर में आपका कोई काउंटर नहीं है/);
    await screenshot(page, 'other-ulb-403');
  } finally {
    await browser.close();
  }
});
