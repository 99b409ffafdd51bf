// Drives Swagger UI's "Try it out" in headless Chromium, as a person would: Authorize with an API key, then execute
// GET /v1/actions and expect 200 (and a 401 before authorizing). Run by OpenApiLintIT (ADR 0036) with the chromium and
// playwright-core that the console's test uses; by hand it needs Debian's chromium and the npm package playwright-core.
//   node system-tests/swagger/try-it-out.mjs http://127.0.0.1:8080 "$RUNWIRE_API_KEY"
// CHROMIUM (default /usr/bin/chromium) and PLAYWRIGHT (default: resolved from NODE_PATH) may be set.
import { createRequire } from 'node:module';

const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error('usage: try-it-out.mjs BASE_URL API_KEY');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT || 'playwright-core');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless=new'],
});
const page = await browser.newPage();
page.setDefaultTimeout(20000);

async function execute(operation) {
  const block = page.locator(`#${operation}`);
  if (!(await block.locator('.try-out__btn').isVisible().catch(() => false))) {
    await block.locator('.opblock-summary').first().click();
  }
  const tryOut = block.locator('.try-out__btn');
  if ((await tryOut.textContent()).includes('Try it out')) {
    await tryOut.click();
  }
  await block.locator('.execute').click();
  const status = block.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  const curl = await block.locator('.curl-command').first().textContent();
  return { status: (await status.textContent()).trim(), curl };
}

await page.goto(`${base}/q/swagger-ui/`);
await page.locator('.opblock').first().waitFor();
const operation = 'operations-Actions-listActions';

const before = await execute(operation);
console.log(`before Authorize: ${before.status}`);

await page.locator('.btn.authorize').first().click();
const apiKey = page.locator('.auth-container', { hasText: 'x-api-key' }).first();
await apiKey.locator('input').fill(key);
await apiKey.locator('.btn.modal-btn.auth.authorize').click();
await page.locator('.btn-done').first().click();

await page.locator(`#${operation} .btn-clear`).click().catch(() => {});
const after = await execute(operation);
console.log(`after Authorize: ${after.status}; the request sent: ${after.curl.replace(key, '<key>').replace(/\s+/g, ' ')}`);
await browser.close();

const ok = before.status.startsWith('401') && after.status.startsWith('200') && after.curl.includes('x-api-key');
console.log(ok ? 'Try it out works with a key' : 'Try it out FAILED');
process.exit(ok ? 0 : 1);
