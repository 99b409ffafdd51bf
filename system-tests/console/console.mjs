// Drives the console in headless Chromium as a person would, for ConsoleIT (which starts the system, prepares the
// runs and checks what this reports against the API). Everything comes in environment variables:
//   BASE (the api-service), API_KEY, PLAYWRIGHT (playwright-core's folder), CHROMIUM, SHOTS (screenshot folder),
//   LIVE_BODY, DROP_BODY, ABORT_BODY (POST /v1/runs bodies this script starts), APPROVE_RUN, DENY_RUN, EDIT_RUN,
//   FOREIGN_RUN (run ids). Prints one JSON line, the result, last.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = process.env;
const require = createRequire(import.meta.url);
const { chromium } = require(env.PLAYWRIGHT);
const base = env.BASE;
const result = { steps: [] };
const log = (what) => { result.steps.push(what); console.error(`console.mjs: ${what}`); };

async function startRun(body) {
  const response = await fetch(`${base}/v1/runs`, { method: 'POST', body,
    headers: { 'x-api-key': env.API_KEY, 'content-type': 'application/json' } });
  if (response.status !== 201) throw new Error(`POST /v1/runs answered ${response.status}: ${await response.text()}`);
  return (await response.json()).runId;
}

const profile = mkdtempSync(join(tmpdir(), 'runwire-console-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: env.CHROMIUM, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1100, height: 900 },
});
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(20000);
const streamRequests = [];
page.on('request', (r) => {
  if (r.url().endsWith('/sse')) streamRequests.push({ url: r.url(), lastEventId: r.headers()['last-event-id'] ?? null });
});
// what the page asked the API, for a failure's report
const calls = [];
page.on('response', (r) => { if (r.url().includes('/v1/')) calls.push(`${r.request().method()} ${r.url().replace(base, '')} ${r.status()}`); });
page.on('console', (m) => { if (m.type() === 'error') calls.push(`console: ${m.text()}`); });
const shot = (name) => page.screenshot({ path: join(env.SHOTS, `${name}.png`), fullPage: true });

/** The timeline's sequences on the run page, in the order shown. */
const timeline = () => page.locator('ol.timeline li').evaluateAll((items) => items.map((li) => Number(li.dataset.seq)));
const finished = (status) => page.locator('#run-status', { hasText: status }).waitFor({ timeout: 40000 });

try {
  // sign in: a wrong key is refused on the form, the right one opens the runs list
  await page.goto(`${base}/console`);
  await page.getByLabel('API key').fill('rw_not_a_key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await page.getByLabel('API key').fill(env.API_KEY);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  if (page.url().includes(env.API_KEY)) throw new Error('the key is in the URL');
  await page.locator(`tr[data-run-id="${env.APPROVE_RUN}"]`).waitFor();
  await shot('runs');
  log('signed in; the runs list shows the runs');

  // a plan run started through the API turns green on its page, live, without a reload
  const live = await startRun(env.LIVE_BODY);
  result.live = live;
  await page.evaluate(() => { window.notReloaded = true; });
  await page.locator(`tr[data-run-id="${live}"] a`).click({ timeout: 10000 });
  await page.locator('ul.steps li').first().waitFor();
  result.liveStepsAtFirst = await page.locator('ul.steps li[data-status=succeeded]').count();
  await finished('SUCCESS');
  await page.locator('ul.steps li[data-status=succeeded]').nth(2).waitFor();
  result.liveStepsSucceeded = await page.locator('ul.steps li[data-status=succeeded]').count();
  result.liveTimeline = await timeline();
  result.liveNotReloaded = await page.evaluate(() => window.notReloaded === true);
  await shot('run');
  log('live run watched to its end');

  // drops of the stream, each 1.5 s long while steps go on: the timeline resumes with nothing missing or doubled
  const dropped = await startRun(env.DROP_BODY);
  result.dropped = dropped;
  await page.goto(`${base}/console/#/runs/${dropped}`);
  for (let seen = 2; seen <= 6; seen += 4) {
    await page.locator('ol.timeline li').nth(seen).waitFor();
    await page.locator('rw-run').evaluate((el) => el.dropStream(1500));
    await page.locator('#stream-state[data-state=reconnecting]').waitFor();
    await page.locator('#stream-state[data-state=live]').waitFor();
  }
  await finished('SUCCESS');
  await page.locator('#stream-state[data-state=ended]').waitFor();
  result.droppedTimeline = await timeline();
  result.droppedRequests = streamRequests.filter((r) => r.url.includes(dropped));
  log('stream dropped twice and resumed');

  // abort a run whose step is still running
  const slow = await startRun(env.ABORT_BODY);
  result.aborted = slow;
  await page.goto(`${base}/console/#/runs/${slow}`);
  await page.locator('ul.steps li[data-status=running]').waitFor();
  await page.getByRole('button', { name: 'Abort run' }).click();
  await finished('CANCELED');
  log('aborted from the page');

  // decisions: approve one run, deny another, approve a step with an edited input (a non-JSON edit is refused first)
  await page.getByRole('link', { name: 'Decisions' }).click();
  const approve = page.locator(`section.decision[data-run-id="${env.APPROVE_RUN}"]`);
  const deny = page.locator(`section.decision[data-run-id="${env.DENY_RUN}"]`);
  const edit = page.locator(`section.decision[data-run-id="${env.EDIT_RUN}"]`);
  await edit.waitFor();
  await shot('decisions');
  await approve.getByRole('button', { name: 'Approve', exact: true }).click();
  await approve.getByRole('status').filter({ hasText: 'Decided: APPROVE' }).waitFor();
  await deny.getByRole('button', { name: 'Deny' }).click();
  await deny.getByRole('status').filter({ hasText: 'Decided: DENY' }).waitFor();
  // decided runs leave the list once the run has gone on
  await approve.waitFor({ state: 'detached' });
  await deny.waitFor({ state: 'detached' });
  const input = edit.getByLabel('Input to approve with');
  await input.fill('{"id": ');
  await edit.getByRole('button', { name: 'Approve with this input' }).click();
  await edit.getByRole('alert').filter({ hasText: 'Not JSON' }).waitFor();
  result.editRefusedShown = true;
  await input.fill('{"id": "edited"}');
  await edit.getByRole('button', { name: 'Approve with this input' }).click();
  await edit.getByRole('status').filter({ hasText: 'Decided: APPROVE' }).waitFor();
  log('approved, denied and approved with an edited input');

  // another owner's run is not found, and says so
  await page.goto(`${base}/console/#/runs/${env.FOREIGN_RUN}`);
  await page.getByRole('heading', { name: 'Run not found' }).waitFor();
  result.foreignBody = await page.locator('main').innerText();
  await shot('not-found');
  log('another owner\'s run is not found');

  // a narrow screen still shows the list
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${base}/console/#/runs`);
  await page.locator(`tr[data-run-id="${live}"]`).waitFor();
  await shot('runs-narrow');
  result.ok = true;
} catch (e) {
  result.ok = false;
  result.error = String(e && e.stack || e);
  result.calls = calls.slice(-25);
  result.main = await page.locator('main').innerText().catch(() => '');
  await shot('failure').catch(() => {});
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
