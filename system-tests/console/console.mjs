// Drives the console in headless Chromium as a person would, for ConsoleIT (which starts the system, prepares the
// runs and checks what this reports against the API and the stub). Everything comes in environment variables:
//   BASE (the api-service), API_KEY, PLAYWRIGHT (playwright-core's folder), CHROMIUM, SHOTS (screenshot folder),
//   LIVE_BODY, DROP_BODY, ABORT_BODY, AUTH_BODY (POST /v1/runs bodies this script starts), APPROVE_RUN, DENY_RUN, EDIT_RUN,
//   CALLBACK_RUN, RESULT_RUN, FOREIGN_RUN (run ids), FOREIGN_TEXT (texts of the other owner that must never show), SECRET (a
//   credential that must never show). Prints one JSON line, the result, last.
//
// The browser talks to the api-service through a proxy this script runs: it can close the live stream's connections
// from the server's side (as a load balancer or a restarted replica would), and refuse new ones for a while.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = process.env;
const require = createRequire(import.meta.url);
const { chromium } = require(env.PLAYWRIGHT);
const api = new URL(env.BASE);
const result = { steps: [] };
const log = (what) => { result.steps.push(what); console.error(`console.mjs: ${what}`); };

async function startRun(body) {
  const response = await fetch(`${env.BASE}/v1/runs`, { method: 'POST', body,
    headers: { 'x-api-key': env.API_KEY, 'content-type': 'application/json' } });
  if (response.status !== 201) throw new Error(`POST /v1/runs answered ${response.status}: ${await response.text()}`);
  return (await response.json()).runId;
}

// the proxy: each browser connection is piped to the api-service; a connection whose latest request is a stream's
// is marked, so that dropStreams() can close exactly those, from the server's side
const connections = new Set();
let refuseStreamsUntil = 0;
const proxy = createServer((client) => {
  const upstream = connect(Number(api.port), api.hostname);
  const conn = { client, upstream, stream: false };
  connections.add(conn);
  const close = () => { client.destroy(); upstream.destroy(); connections.delete(conn); };
  client.on('data', (chunk) => {
    const request = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP\/1\.1\r?$/m.exec(chunk.toString('latin1'));
    if (request) conn.stream = /\/sse(\?|$)/.test(request[2]);
    if (conn.stream && Date.now() < refuseStreamsUntil) { close(); return; }
    upstream.write(chunk);
  });
  upstream.pipe(client);
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${proxy.address().port}`;
/** Closes every live stream's connection now and refuses new ones for `ms`; answers how many it closed. */
function dropStreams(ms) {
  refuseStreamsUntil = Date.now() + ms;
  let closed = 0;
  for (const conn of [...connections]) {
    if (conn.stream) { conn.client.destroy(); conn.upstream.destroy(); connections.delete(conn); closed++; }
  }
  return closed;
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
const approvalPosts = [];
const resultPosts = [];
page.on('request', (r) => {
  if (r.url().includes('/sse')) streamRequests.push({ url: r.url(), lastEventId: r.headers()['last-event-id'] ?? null });
  if (r.method() === 'POST' && r.url().includes('/v1/runs/approval')) approvalPosts.push(r.postData());
  if (r.method() === 'POST' && /\/steps\/[^/]+\/result$/.test(r.url())) resultPosts.push(r.postData());
});
// what the page asked the API, for a failure's report
const calls = [];
page.on('response', (r) => { if (r.url().includes('/v1/')) calls.push(`${r.request().method()} ${r.url().replace(base, '')} ${r.status()}`); });
page.on('console', (m) => { if (m.type() === 'error') calls.push(`console: ${m.text()}`); });
const shot = (name) => page.screenshot({ path: join(env.SHOTS, `${name}.png`), fullPage: true });

/** The timeline's sequences on the run page, in the order shown. */
const timeline = () => page.locator('ol.timeline li').evaluateAll((items) => items.map((li) => Number(li.dataset.seq)));
const finished = (status) => page.locator('#run-status', { hasText: status }).waitFor({ timeout: 40000 });
const node = (id) => page.locator(`.graph button.node[data-step-id="${id}"]`);
const mainText = () => page.locator('main').innerText();

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
  result.runsListText = await mainText();
  await shot('runs');
  log('signed in; the runs list shows the runs');

  // a plan run started through the API: its graph is there before any step ran, and turns green live
  const live = await startRun(env.LIVE_BODY);
  result.live = live;
  await page.evaluate(() => { window.notReloaded = true; });
  // the list refreshes every 10 s; applying the filters refreshes it at once
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator(`tr[data-run-id="${live}"] a`).click({ timeout: 15000 });
  await page.locator('.graph button.node').first().waitFor();
  result.liveNodes = await page.locator('.graph button.node').evaluateAll((ns) => ns.map((n) => n.dataset.stepId));
  result.liveSucceededAtFirst = await page.locator('.graph button.node[data-status=succeeded]').count();
  result.liveStages = await page.locator('.graph ol.stage').evaluateAll((stages) =>
    stages.map((s) => [...s.querySelectorAll('button.node')].map((n) => n.dataset.stepId)));
  await page.locator('.graph svg.edges path[data-from]').first().waitFor({ state: 'attached' });
  result.liveEdges = await page.locator('.graph svg.edges path[data-from]').evaluateAll((ps) =>
    ps.map((p) => `${p.dataset.from}>${p.dataset.to}`).sort());
  await node('B').click();
  await finished('SUCCESS');
  await page.locator('.graph button.node[data-status=succeeded]').nth(3).waitFor();
  result.liveSucceeded = await page.locator('.graph button.node[data-status=succeeded]').count();
  result.liveTimeline = await timeline();
  result.liveNotReloaded = await page.evaluate(() => window.notReloaded === true);
  // the chosen step shows its input and output (the stream includes the tool calls)
  result.liveDetail = await page.locator('.step-detail').innerText();
  await shot('run');
  log('live plan graph watched to its end');

  // repeat it: a new run of the same plan, through the public API
  await page.getByRole('button', { name: 'Repeat run' }).click();
  await page.getByLabel('Approval').selectOption('NONE');
  await page.getByRole('button', { name: 'Start it again' }).click();
  await page.waitForURL((url) => url.hash.startsWith('#/runs/') && !url.hash.includes(live));
  result.repeated = decodeURIComponent(new URL(page.url()).hash.slice('#/runs/'.length));
  await finished('SUCCESS');
  log('repeated from the page');

  // the server closes the stream twice (and refuses it 1.5 s each time) while steps go on: the timeline resumes with
  // nothing missing or doubled
  const dropped = await startRun(env.DROP_BODY);
  result.dropped = dropped;
  await page.goto(`${base}/console/#/runs/${dropped}`);
  result.closedByServer = [];
  for (let seen = 2; seen <= 6; seen += 4) {
    await page.locator('ol.timeline li').nth(seen).waitFor();
    await page.locator('#stream-state[data-state=live]').waitFor();
    result.closedByServer.push(dropStreams(1500));
    await page.locator('#stream-state[data-state=reconnecting]').waitFor();
    await page.locator('#stream-state[data-state=live]').waitFor();
  }
  await finished('SUCCESS');
  await page.locator('#stream-state[data-state=ended]').waitFor();
  result.droppedTimeline = await timeline();
  result.droppedRequests = streamRequests.filter((r) => r.url.includes(dropped));
  log('stream closed by the server twice and resumed');

  // abort a run whose step is still running
  const slow = await startRun(env.ABORT_BODY);
  result.aborted = slow;
  await page.goto(`${base}/console/#/runs/${slow}`);
  await node('A').and(page.locator('[data-status=running]')).waitFor();
  await page.getByRole('button', { name: 'Abort run' }).click();
  await finished('CANCELED');
  log('aborted from the page');

  // a step waiting for a connection shows its connect link (started now: the run waits only so long for one)
  const authRun = await startRun(env.AUTH_BODY);
  result.authRun = authRun;
  await page.goto(`${base}/console/#/runs/${authRun}`);
  const authBlock = page.locator(`section.decision[data-run-id="${authRun}"][data-wait=STEP_AUTH_REQUIRED]`);
  result.connectHref = await authBlock.getByRole('link', { name: 'Connect keyed' }).getAttribute('href');
  await shot('connection-needed');
  log('a connection request shows its link');

  // a failed callback: its attempt is shown; redelivered from the page, the new attempt appears
  await page.goto(`${base}/console/#/runs/${env.CALLBACK_RUN}`);
  const delivery = page.locator('section.delivery');
  await delivery.and(page.locator('[data-state=failed]')).waitFor();
  result.attemptsBefore = await delivery.locator('tr[data-attempt]').allInnerTexts();
  await shot('callbacks');
  await delivery.getByRole('button', { name: 'Redeliver' }).click();
  await page.locator('section.delivery[data-state=succeeded] tr[data-attempt="2"]').waitFor({ timeout: 30000 });
  result.attemptsAfter = await page.locator('section.delivery tr[data-attempt]').allInnerTexts();
  log('redelivered a failed callback and saw the new attempt');

  // decisions: approve one run, deny another, approve a step with an edited input; an invalid edit is refused next
  // to its fields and nothing is sent
  await page.getByRole('link', { name: 'Decisions' }).click();
  const approve = page.locator(`section.decision[data-run-id="${env.APPROVE_RUN}"]`);
  const deny = page.locator(`section.decision[data-run-id="${env.DENY_RUN}"]`);
  const edit = page.locator(`section.decision[data-run-id="${env.EDIT_RUN}"]`);
  await edit.getByLabel('count').waitFor();
  result.decisionsText = await mainText();
  await shot('decisions');
  // a step waiting for its result: a form from the announced schema; a short note is refused and nothing is sent
  const resultBlock = page.locator(`section.decision[data-run-id="${env.RESULT_RUN}"]`);
  await resultBlock.getByLabel('note').fill('x');
  await resultBlock.getByLabel('answered').check();
  await resultBlock.getByRole('button', { name: 'Report this result' }).click();
  await resultBlock.locator('.field[data-field=note] .field-error').filter({ hasText: 'at least' }).waitFor();
  result.resultError = await resultBlock.locator('.field[data-field=note] .field-error').innerText();
  await page.waitForTimeout(500);
  result.resultPostsAfterInvalid = resultPosts.length;
  await resultBlock.getByLabel('note').fill('ok');
  await resultBlock.getByRole('button', { name: 'Report this result' }).click();
  await resultBlock.getByRole('status').filter({ hasText: 'Result reported' }).waitFor();
  log('reported a result after a refused one');

  await approve.getByRole('button', { name: 'Approve', exact: true }).click();
  await approve.getByRole('status').filter({ hasText: 'Decided: APPROVE' }).waitFor();
  await deny.getByRole('button', { name: 'Deny' }).click();
  await deny.getByRole('status').filter({ hasText: 'Decided: DENY' }).waitFor();
  // decided runs leave the list once the run has gone on
  await approve.waitFor({ state: 'detached', timeout: 40000 });
  await deny.waitFor({ state: 'detached', timeout: 40000 });
  await edit.getByLabel('id', { exact: true }).fill('X');
  await edit.getByLabel('count').fill('zero');
  await edit.getByRole('button', { name: 'Approve with this input' }).click();
  await edit.locator('.field[data-field=id] .field-error').filter({ hasText: 'pattern' }).waitFor();
  result.editErrors = {
    id: await edit.locator('.field[data-field=id] .field-error').innerText(),
    count: await edit.locator('.field[data-field=count] .field-error').innerText(),
    invalid: await edit.locator('[aria-invalid=true]').evaluateAll((els) => els.map((e) => e.name)),
    focused: await page.evaluate(() => document.activeElement?.name ?? null),
  };
  await page.waitForTimeout(500);
  result.approvalPostsAfterInvalid = approvalPosts.length;
  await shot('edit-refused');
  await edit.getByLabel('id', { exact: true }).fill('edited');
  await edit.getByLabel('count').fill('3');
  await edit.getByRole('button', { name: 'Approve with this input' }).click();
  await edit.getByRole('status').filter({ hasText: 'Decided: APPROVE' }).waitFor();
  result.approvalPosts = approvalPosts;
  log('approved, denied, and approved with an edited input after an invalid one was refused');

  // the registry: declarations, integrations, accounts; never a credential
  await page.getByRole('link', { name: 'Registry' }).click();
  await page.locator('section.registry-item[data-action="strict"]').waitFor();
  await page.locator('#accounts tr[data-account]').first().waitFor();
  const strictOlder = page.locator('section.registry-item[data-action="strict"] details');
  await strictOlder.locator('summary').click();
  await strictOlder.locator('tr[data-version="1"]').waitFor();
  result.registryActions = await page.locator('section.registry-item tr[data-action]').evaluateAll((rows) =>
    rows.map((r) => [r.dataset.action, ...[...r.querySelectorAll('td')].map((td) => td.innerText)]));
  result.registryIntegrations = await page.locator('#integrations tr[data-integration]').allInnerTexts();
  result.registryAccounts = await page.locator('#accounts tr[data-account]').allInnerTexts();
  result.registryText = await mainText();
  result.registryHtml = await page.content();
  await shot('registry');
  log('registry shown');

  // the owner's callbacks page
  await page.getByRole('link', { name: 'Callbacks' }).click();
  await page.locator('tr[data-delivery-id]').first().waitFor();
  result.callbacksText = await mainText();
  await page.getByRole('button', { name: 'Send failed callbacks again' }).click();
  result.recovered = await page.getByRole('status').filter({ hasText: 'scheduled again' }).innerText();
  log('callbacks page shown');

  // another owner's run is not found, and says so
  await page.goto(`${base}/console/#/runs/${env.FOREIGN_RUN}`);
  await page.getByRole('heading', { name: 'Run not found' }).waitFor();
  result.foreignBody = await mainText();
  await shot('not-found');
  log('another owner\'s run is not found');

  // a narrow screen: the list, and a plan's graph with its stages stacked
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${base}/console/#/runs`);
  await page.locator(`tr[data-run-id="${live}"]`).waitFor();
  await shot('runs-narrow');
  await page.goto(`${base}/console/#/runs/${live}`);
  await page.locator('.graph button.node[data-status=succeeded]').nth(3).waitFor();
  result.narrowOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot('run-narrow');
  // keyboard: a step of the graph is chosen with the keyboard alone
  await node('A').focus();
  await page.keyboard.press('Enter');
  await page.locator('.step-detail h3', { hasText: 'Step A' }).waitFor();
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
  proxy.close();
  for (const conn of connections) { conn.client.destroy(); conn.upstream.destroy(); }
}
console.log(JSON.stringify(result));
