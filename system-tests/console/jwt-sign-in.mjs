// Signs in to the console with a JWT instead of an API key, for ConsoleJwtIT: a token of an untrusted signer is refused
// on the form; the issuer's token opens the runs list and a run's live page, every API request carrying it as a Bearer
// token, never in a URL. Environment: BASE, JWT, FOREIGN_JWT, RUN_ID, PLAYWRIGHT, CHROMIUM. Prints one JSON line.
import { createRequire } from 'node:module';

const env = process.env;
const require = createRequire(import.meta.url);
const { chromium } = require(env.PLAYWRIGHT);
const browser = await chromium.launch({ executablePath: env.CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
const page = await browser.newPage();
page.setDefaultTimeout(30000);
const requests = [];
page.on('request', (request) => {
  if (request.url().includes('/v1/')) {
    const headers = request.headers();
    requests.push({ url: request.url(), authorization: headers.authorization || null, apiKey: headers['x-api-key'] || null });
  }
});
const result = { ok: false };
try {
  await page.goto(`${env.BASE}/console`);
  await page.getByLabel('API key').fill(env.FOREIGN_JWT);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await page.getByLabel('API key').fill(env.JWT);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  await page.locator(`tr[data-run-id="${env.RUN_ID}"]`).waitFor();
  await page.goto(`${env.BASE}/console/#/runs/${env.RUN_ID}`);
  await page.locator('#run-status', { hasText: 'SUCCESS' }).waitFor();
  await page.locator('ol.timeline li[data-seq="4"]').waitFor();
  result.timeline = await page.locator('ol.timeline li').evaluateAll((items) => items.map((li) => Number(li.dataset.seq)));
  result.requests = requests.length;
  result.bearer = requests.filter((r) => r.authorization === `Bearer ${env.JWT}`).length;
  result.foreign = requests.filter((r) => r.authorization === `Bearer ${env.FOREIGN_JWT}`).length;
  result.withKeyHeader = requests.filter((r) => r.apiKey).length;
  result.tokenInUrl = requests.filter((r) => r.url.includes(env.JWT)).length;
  result.ok = true;
} catch (e) {
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
