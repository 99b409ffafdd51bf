// The console: hash routes (#/runs, #/runs/{id}, #/decisions, #/deliveries, #/registry), one custom element per page,
// built from the public API only. No framework, no build step: the browser loads these modules as they are
// (docs/adr/0038-console.md).
import { api, session, signedOut, Poller } from './api.js';
import { h, when, statusText, json } from './dom.js';
import { PlanGraph } from './graph.js';
import { RunStream } from './stream.js';
import { pendingWaits, waitBlock, WaitBlocks } from './waits.js';
import { RunDeliveries, DeliveriesPage } from './deliveries.js';
import { RegistryPage } from './registry.js';

const TERMINAL = new Set(['SUCCESS', 'PARTIAL_SUCCESS', 'NO_SUCCESS', 'FAILED', 'CANCELED']);
const STATUSES = ['QUEUED', 'RUNNING', 'AUTH_REQUIRED', 'PAUSED', ...TERMINAL];
const RUN_STATUS = {
  RUN_STARTED: 'RUNNING', RUN_APPROVED: 'RUNNING', RUN_APPROVAL_REQUESTED: 'PAUSED', RUN_PAUSED: 'PAUSED',
  RUN_AUTH_REQUIRED: 'AUTH_REQUIRED', RUN_SUCCEEDED: 'SUCCESS', RUN_PARTIAL_SUCCESS: 'PARTIAL_SUCCESS',
  RUN_NO_SUCCESS: 'NO_SUCCESS', RUN_FAILED: 'FAILED', RUN_CANCELED: 'CANCELED',
};
const STEP_STATUS = {
  STEP_STARTED: 'running', STEP_RETRYING: 'running', STEP_SUCCEEDED: 'succeeded', STEP_FAILED: 'failed',
  STEP_SKIPPED: 'skipped', STEP_CANCELED: 'canceled', STEP_APPROVAL_REQUESTED: 'waiting', STEP_APPROVED: 'approved',
  STEP_DENIED: 'denied', STEP_AUTH_REQUIRED: 'waiting', STEP_CONNECTED: 'connected', STEP_AWAITING_RESULT: 'waiting',
  STEP_OUTCOME_UNKNOWN: 'waiting',
};
/** Events after which a run may have a new callback (ADR 0014: its pauses and its end). */
const CALLS_BACK = /^RUN_(PAUSED|APPROVAL_REQUESTED|AUTH_REQUIRED|SUCCEEDED|PARTIAL_SUCCESS|NO_SUCCESS|FAILED|CANCELED)$/;

class SignIn extends HTMLElement {
  connectedCallback() {
    const error = h('p', { class: 'error', id: 'sign-in-error', role: 'alert' });
    const input = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', required: true,
      'aria-describedby': 'sign-in-error' });
    const form = h('form', { class: 'signin', onsubmit: async (e) => {
      e.preventDefault();
      session.signIn(input.value.trim());
      try {
        await api('GET', '/v1/runs?pageSize=10');
        location.hash = '#/runs';
      } catch (err) {
        session.signOut();
        error.textContent = err.status === 401 ? 'That API key or token is not valid.' : `Sign-in failed (${err.message}).`;
        input.focus();
      }
    } },
    h('h1', { text: 'Sign in' }),
    h('p', { class: 'muted', text: 'Use an owner API key, or a JWT of the issuer Runwire trusts. It is kept in this browser tab only.' }),
    h('label', { for: 'api-key', text: 'API key or JWT' }), input, error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Sign in' })));
    this.replaceChildren(form);
    input.focus();
  }
}

/** Runs, newest first, with the list's filters; loaded every 10 s while the tab is visible (see Poller). */
class RunList extends HTMLElement {
  connectedCallback() {
    this.page = 1;
    this.pageSize = 20;
    this.status = h('select', { id: 'filter-status', name: 'status' },
      h('option', { value: '', text: 'any' }), STATUSES.map((s) => h('option', { value: s, text: s })));
    this.user = h('input', { id: 'filter-user', name: 'userId', type: 'text', autocomplete: 'off' });
    this.integration = h('input', { id: 'filter-integration', name: 'integration', type: 'text', autocomplete: 'off' });
    this.rows = h('tbody');
    this.note = h('p', { role: 'status', class: 'muted' });
    this.prev = h('button', { type: 'button', onclick: () => { this.page--; this.poller.now(); }, text: 'Previous page' });
    this.next = h('button', { type: 'button', onclick: () => { this.page++; this.poller.now(); }, text: 'Next page' });
    const filters = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); this.page = 1; this.poller.now(); } },
      h('div', {}, h('label', { for: 'filter-status', text: 'Status' }), this.status),
      h('div', {}, h('label', { for: 'filter-user', text: 'User' }), this.user),
      h('div', {}, h('label', { for: 'filter-integration', text: 'Integration' }), this.integration),
      h('button', { type: 'submit', text: 'Apply filters' }));
    this.replaceChildren(h('h1', { text: 'Runs' }), filters, this.note,
      h('table', { class: 'runs' }, h('caption', { class: 'muted', text: 'Newest first; refreshed every 10 seconds while this tab is shown' }),
        h('thead', {}, h('tr', {}, ['Run', 'Status', 'User', 'What', 'Created'].map((t) => h('th', { scope: 'col', text: t })))),
        this.rows),
      h('div', { class: 'actions' }, this.prev, this.next));
    this.poller = new Poller(() => this.load(), 10000);
    this.poller.start();
  }

  disconnectedCallback() { this.poller.stop(); }

  async load() {
    const query = new URLSearchParams({ page: this.page, pageSize: this.pageSize });
    if (this.status.value) query.set('status', this.status.value);
    if (this.user.value.trim()) query.set('userId', this.user.value.trim());
    if (this.integration.value.trim()) query.set('customerIntegrationIds', this.integration.value.trim());
    try {
      const runs = await api('GET', `/v1/runs?${query}`);
      this.rows.replaceChildren(...runs.map((run) => h('tr', { 'data-run-id': run.runId },
        h('td', {}, h('a', { href: `#/runs/${run.runId}`, text: run.runId })),
        h('td', {}, statusText(run.status)),
        h('td', { text: run.userId || '' }),
        h('td', { text: run.actionKey || run.intent || '' }),
        h('td', { text: when(run.createdAt) }))));
      this.note.textContent = runs.length ? `Page ${this.page}` : 'No runs match.';
      this.prev.disabled = this.page <= 1;
      this.next.disabled = runs.length < this.pageSize;
    } catch (e) {
      if (!signedOut(e)) this.note.textContent = `Could not load runs (${e.message}).`;
      throw e;
    }
  }
}

/** The approval strategy a run was started with, as far as its events tell (the run's view does not hold it). */
function approvalStrategyOf(events) {
  if (events.some((e) => e.type === 'STEP_APPROVAL_REQUESTED')) return 'ON_TOOL_CALL';
  if (events.some((e) => e.type === 'RUN_APPROVAL_REQUESTED')) return 'ON_START';
  return 'NONE';
}

class RunPage extends HTMLElement {
  async connectedCallback() {
    this.runId = this.getAttribute('run-id');
    this.events = [];
    this.steps = new Map(); // stepId -> {status, input, output, error, description}
    this.replaceChildren(h('p', { role: 'status', text: 'Loading…' }));
    try {
      this.run = await api('GET', `/v1/runs/${encodeURIComponent(this.runId)}`);
    } catch (e) {
      if (signedOut(e)) return;
      const missing = e.status === 404 || e.status === 400;
      this.replaceChildren(h('h1', { text: missing ? 'Run not found' : 'Could not load the run' }),
        h('p', { role: 'alert', text: missing ? `No run ${this.runId} for this account.` : e.message }),
        h('a', { href: '#/runs', text: 'Back to runs' }));
      return;
    }
    this.header = h('dl');
    this.streamState = h('p', { role: 'status', id: 'stream-state', class: 'muted' });
    this.abort = h('button', { type: 'button', class: 'danger', id: 'abort', onclick: () => this.doAbort(), text: 'Abort run' });
    this.repeatButton = h('button', { type: 'button', id: 'repeat', 'aria-expanded': 'false', onclick: () => this.toggleRepeat(), text: 'Repeat run' });
    this.repeatArea = h('div', { id: 'repeat-area', hidden: true });
    this.actionNote = h('p', { role: 'status' });
    this.graphArea = h('div', { class: 'graph-area' });
    this.stepDetail = h('section', { class: 'step-detail', 'aria-label': 'Step detail', 'aria-live': 'polite' },
      h('p', { class: 'muted', text: 'Choose a step to see its input and output.' }));
    this.waitsTitle = h('h2', { text: 'Waiting for a decision', hidden: true, tabindex: -1 });
    this.waitList = h('div');
    this.waits = new WaitBlocks(this.waitList, this.waitsTitle);
    this.timeline = h('ol', { class: 'timeline', 'aria-label': 'Events' });
    this.deliveries = new RunDeliveries(this.runId);
    this.replaceChildren(h('h1', {}, 'Run ', h('code', { text: this.runId })), this.header,
      h('div', { class: 'actions' }, this.abort, this.repeatButton), this.repeatArea, this.actionNote, this.streamState,
      h('h2', { text: this.run.plan ? 'Plan' : 'Steps' }), this.graphArea, this.stepDetail,
      this.waitsTitle, this.waitList,
      h('h2', { text: 'Timeline' }), this.timeline,
      h('h2', { text: 'Callbacks' }), this.deliveries.element);
    this.planSteps = this.run.plan?.plan?.steps || null;
    this.renderGraph();
    this.renderHeader();
    this.deliveries.start();
    this.stream = new RunStream(this.runId, {
      toolCalls: true,
      onEvent: (event) => this.add(event),
      onState: (state) => { this.streamState.textContent = `Stream: ${state}`; this.streamState.dataset.state = state; },
    });
    this.stream.start();
  }

  disconnectedCallback() { this.stream?.stop(); this.graph?.disconnect(); }

  renderHeader() {
    const run = this.run;
    const row = (term, value) => [h('dt', { text: term }), h('dd', {}, value)];
    this.header.replaceChildren(...row('Status', h('span', { id: 'run-status', class: `status status-${run.status}`, text: run.status })),
      ...row('User', run.userId || '—'), ...row('What', run.actionKey || run.intent || '—'),
      ...row('Created', when(run.createdAt)));
    if (run.repeatRunId) this.header.append(...row('Repeats', h('a', { href: `#/runs/${run.repeatRunId}`, text: run.repeatRunId })));
    if (run.error) this.header.append(...row('Error', `${run.error.code || ''} ${run.error.message || ''}`.trim()));
    this.abort.disabled = TERMINAL.has(run.status);
  }

  /** The plan's graph; a run without a stored plan (a single action) shows the steps its events name. */
  renderGraph() {
    const steps = this.planSteps || [...this.steps.keys()].map((id) => ({ id, description: this.steps.get(id).description, dependsOnSteps: [] }));
    this.graph?.disconnect();
    this.graph = new PlanGraph(steps, (id) => this.select(id));
    this.graphArea.replaceChildren(this.graph.element);
    for (const [id, step] of this.steps) this.graph.status(id, step.status);
    if (this.selected) this.graph.select(this.selected);
    requestAnimationFrame(() => this.graph.draw());
  }

  select(stepId) {
    this.selected = stepId;
    this.graph.select(stepId);
    this.renderDetail();
  }

  renderDetail() {
    const id = this.selected;
    if (!id) return;
    const step = this.steps.get(id) || { status: 'pending' };
    const planned = this.planSteps?.find((s) => s.id === id);
    const part = (title, value) => [h('h4', { text: title }), json(value)];
    this.stepDetail.replaceChildren(...[h('h3', {}, `Step ${id} `, statusText(step.status)),
      planned?.description || step.description ? h('p', { text: planned?.description || step.description }) : null,
      ...part('Input', step.input ?? planned?.input), ...part('Output', step.output),
      ...(step.error ? part('Error', step.error) : [])].filter(Boolean));
  }

  add(event) {
    this.events.push(event);
    this.timeline.append(h('li', { 'data-seq': event.seq },
      h('time', { datetime: event.at, text: event.at ? new Date(event.at).toLocaleTimeString() : '' }), ' ',
      h('strong', { text: event.type }), event.stepId ? ` step ${event.stepId}` : '',
      event.error ? ` — ${event.error.code || ''} ${event.error.message || ''}` : ''));
    if (event.stepId) {
      const known = this.steps.has(event.stepId);
      const step = this.steps.get(event.stepId) || { status: 'pending' };
      step.description = step.description || event.description;
      step.status = STEP_STATUS[event.type] || step.status;
      if (event.input !== undefined) step.input = event.input;
      if (event.output !== undefined) step.output = event.output;
      if (event.error) step.error = event.error;
      this.steps.set(event.stepId, step);
      if (!known && !this.planSteps) this.renderGraph();
      else this.graph.status(event.stepId, step.status);
      if (this.selected === event.stepId) this.renderDetail();
    }
    // the stream can run ahead of the read model, so the run's status is taken from its events
    const status = RUN_STATUS[event.type] || event.status;
    if (status && status !== this.run.status) {
      this.run.status = status;
      this.renderHeader();
    }
    if (TERMINAL.has(RUN_STATUS[event.type])) this.refreshEnded();
    if (CALLS_BACK.test(event.type)) setTimeout(() => this.deliveries.start(), 1500);
    const open = this.waits.update(pendingWaits(this.events).map((wait) => [String(wait.seq), () => waitBlock(this.run, wait)]));
    this.waitsTitle.hidden = open === 0;
  }

  /** The ended run's error and times, once the read model has the end too. */
  async refreshEnded(attempt = 0) {
    try {
      const run = await api('GET', `/v1/runs/${encodeURIComponent(this.runId)}`);
      if (TERMINAL.has(run.status)) { this.run = run; this.renderHeader(); } else if (attempt < 20) {
        setTimeout(() => this.refreshEnded(attempt + 1), 500);
      }
    } catch { /* the header keeps what the events said */ }
  }

  async doAbort() {
    this.abort.disabled = true;
    try {
      const answer = await api('DELETE', `/v1/runs/${encodeURIComponent(this.runId)}`);
      this.actionNote.textContent = `Abort requested; the run is ${answer.status}.`;
    } catch (e) {
      if (!signedOut(e)) { this.actionNote.textContent = `Abort failed (${e.message}).`; this.abort.disabled = false; }
    }
  }

  /**
   * Repeat: POST /v1/runs with the run's repeatKey, which runs the stored plan again (a single action's run has a
   * one-step plan too) for the same user. The run's view holds neither its approval strategy nor its callback URL, so
   * the form asks for them, the strategy preset to what the run's events show.
   */
  toggleRepeat() {
    const open = this.repeatArea.hidden;
    this.repeatArea.hidden = !open;
    this.repeatButton.setAttribute('aria-expanded', String(open));
    if (!open) return;
    if (!this.planSteps || !this.run.repeatKey) {
      this.repeatArea.replaceChildren(h('p', { text: 'This run cannot be repeated: it has no stored plan.' }));
      return;
    }
    const strategy = h('select', { id: 'repeat-approval', name: 'approvalStrategy' },
      ['NONE', 'ON_START', 'ON_TOOL_CALL'].map((s) => h('option', { value: s, text: s, selected: s === approvalStrategyOf(this.events) })));
    const callback = h('input', { id: 'repeat-callback', name: 'callbackUrl', type: 'url', autocomplete: 'off' });
    const form = h('form', { class: 'filters', onsubmit: async (e) => {
      e.preventDefault();
      const body = { intent: this.run.intent || 'repeat', selectedCustomerIntegrationIds: ['*'], userId: this.run.userId,
        repeatKey: this.run.repeatKey };
      if (this.run.context) body.context = this.run.context;
      if (strategy.value !== 'NONE') body.approvalStrategy = strategy.value;
      if (callback.value.trim()) body.callbackUrl = callback.value.trim();
      try {
        const created = await api('POST', '/v1/runs', body);
        location.hash = `#/runs/${created.runId}`;
      } catch (err) {
        if (!signedOut(err)) this.actionNote.textContent = `Not repeated (${err.message}).`;
      }
    } },
    h('div', {}, h('label', { for: 'repeat-approval', text: 'Approval' }), strategy),
    h('div', {}, h('label', { for: 'repeat-callback', text: 'Callback URL (optional)' }), callback),
    h('button', { type: 'submit', class: 'primary', text: 'Start it again' }));
    this.repeatArea.replaceChildren(h('p', { class: 'muted', text: `The same plan, for ${this.run.userId || 'the same user'}, as a new run.` }), form);
    strategy.focus();
  }
}

/** Runs waiting for a person: approvals, connections and results; loaded every 15 s while the tab is visible. */
class Decisions extends HTMLElement {
  connectedCallback() {
    this.list = h('div');
    this.note = h('p', { role: 'status', class: 'muted', tabindex: -1 });
    this.blocks = new WaitBlocks(this.list, this.note);
    this.replaceChildren(h('h1', { text: 'Decisions' }),
      h('p', { class: 'muted', text: 'Runs waiting for an approval, a connected account or a result. Refreshed every 15 seconds while this tab is shown.' }),
      this.note, this.list);
    this.runs = new Map();
    this.poller = new Poller(() => this.load(), 15000);
    this.poller.start();
  }

  disconnectedCallback() { this.poller.stop(); }

  async load() {
    try {
      const [paused, auth] = await Promise.all(['PAUSED', 'AUTH_REQUIRED'].map((status) =>
        api('GET', `/v1/runs?status=${status}&includeEvents=true&pageSize=100`)));
      const entries = [];
      for (const run of [...paused, ...auth]) {
        for (const wait of pendingWaits(run.events || [])) {
          entries.push([`${run.runId}/${wait.seq}`, () => h('div', {},
            h('h2', {}, h('a', { href: `#/runs/${run.runId}`, text: `Run ${run.runId}` })),
            waitBlock(run, wait, () => setTimeout(() => this.poller.now(), 1000)))]);
        }
      }
      const open = this.blocks.update(entries);
      this.note.textContent = open ? `${open} waiting` : 'Nothing waits for a decision.';
    } catch (e) {
      if (!signedOut(e)) this.note.textContent = `Could not load (${e.message}).`;
      throw e;
    }
  }
}

customElements.define('rw-sign-in', SignIn);
customElements.define('rw-run-list', RunList);
customElements.define('rw-run', RunPage);
customElements.define('rw-decisions', Decisions);
customElements.define('rw-deliveries', DeliveriesPage);
customElements.define('rw-registry', RegistryPage);

const PAGES = { '#/decisions': 'rw-decisions', '#/deliveries': 'rw-deliveries', '#/registry': 'rw-registry' };

function route() {
  const main = document.getElementById('main');
  const hash = location.hash || '#/runs';
  document.getElementById('nav').hidden = !session.key();
  for (const link of document.querySelectorAll('#nav a')) {
    if (hash === link.getAttribute('href') || (link.getAttribute('href') === '#/runs' && hash.startsWith('#/runs'))) {
      link.setAttribute('aria-current', 'page');
    } else link.removeAttribute('aria-current');
  }
  let view;
  if (!session.key()) view = h('rw-sign-in');
  else if (hash.startsWith('#/runs/')) view = h('rw-run', { 'run-id': decodeURIComponent(hash.slice('#/runs/'.length)) });
  else if (PAGES[hash]) view = h(PAGES[hash]);
  else view = h('rw-run-list');
  main.replaceChildren(view);
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  location.hash = '#/sign-in';
  route();
});
window.addEventListener('hashchange', route);
route();
