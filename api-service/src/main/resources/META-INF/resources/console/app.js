// The console: hash routes (#/runs, #/runs/{id}, #/decisions), one custom element per page, built from the public
// API only. No framework, no build step: the browser loads these modules as they are (docs/adr/0038-console.md).
import { api, session, ApiError } from './api.js';
import { RunStream } from './stream.js';

const TERMINAL = new Set(['SUCCESS', 'PARTIAL_SUCCESS', 'NO_SUCCESS', 'FAILED', 'CANCELED']);
const STATUSES = ['QUEUED', 'RUNNING', 'AUTH_REQUIRED', 'PAUSED', ...TERMINAL];
const RUN_STATUS = {
  RUN_STARTED: 'RUNNING', RUN_APPROVED: 'RUNNING', RUN_APPROVAL_REQUESTED: 'PAUSED', STEP_APPROVAL_REQUESTED: 'PAUSED',
  RUN_AUTH_REQUIRED: 'AUTH_REQUIRED', RUN_SUCCEEDED: 'SUCCESS', RUN_PARTIAL_SUCCESS: 'PARTIAL_SUCCESS',
  RUN_NO_SUCCESS: 'NO_SUCCESS', RUN_FAILED: 'FAILED', RUN_CANCELED: 'CANCELED',
};
const STEP_STATUS = {
  STEP_STARTED: 'running', STEP_RETRYING: 'running', STEP_SUCCEEDED: 'succeeded', STEP_FAILED: 'failed',
  STEP_SKIPPED: 'skipped', STEP_CANCELED: 'canceled', STEP_APPROVAL_REQUESTED: 'waiting', STEP_APPROVED: 'approved',
  STEP_DENIED: 'denied', STEP_AUTH_REQUIRED: 'waiting', STEP_CONNECTED: 'connected', STEP_AWAITING_RESULT: 'waiting',
  STEP_OUTCOME_UNKNOWN: 'waiting',
};

/** An element with attributes and children; text is always set as text, never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const statusText = (s) => h('span', { class: `status status-${s}` }, s);

function signedOut(e) {
  if (e instanceof ApiError && e.status === 401) {
    session.signOut();
    location.hash = '#/sign-in';
    return true;
  }
  return false;
}

class SignIn extends HTMLElement {
  connectedCallback() {
    const error = h('p', { class: 'error', id: 'sign-in-error', role: 'alert' });
    const input = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', required: true,
      'aria-describedby': 'sign-in-error' });
    const form = h('form', { class: 'signin', onsubmit: async (e) => {
      e.preventDefault();
      session.signIn(input.value.trim());
      try {
        await api('GET', '/v1/runs?pageSize=1');
        location.hash = '#/runs';
      } catch (err) {
        session.signOut();
        error.textContent = err.status === 401 ? 'That API key is not valid.' : `Sign-in failed (${err.message}).`;
        input.focus();
      }
    } },
    h('h1', { text: 'Sign in' }),
    h('p', { class: 'muted', text: 'Use an owner API key. It is kept in this browser tab only.' }),
    h('label', { for: 'api-key', text: 'API key' }), input, error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Sign in' })));
    this.replaceChildren(form);
    input.focus();
  }
}

class RunList extends HTMLElement {
  connectedCallback() {
    this.page = 1;
    this.pageSize = 20;
    this.status = h('select', { id: 'filter-status', name: 'status' },
      h('option', { value: '', text: 'any' }), STATUSES.map((s) => h('option', { value: s, text: s })));
    this.user = h('input', { id: 'filter-user', name: 'userId', type: 'text', autocomplete: 'off' });
    this.rows = h('tbody');
    this.note = h('p', { role: 'status', class: 'muted' });
    this.prev = h('button', { type: 'button', onclick: () => { this.page--; this.load(); }, text: 'Previous page' });
    this.next = h('button', { type: 'button', onclick: () => { this.page++; this.load(); }, text: 'Next page' });
    const filters = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); this.page = 1; this.load(); } },
      h('div', {}, h('label', { for: 'filter-status', text: 'Status' }), this.status),
      h('div', {}, h('label', { for: 'filter-user', text: 'User' }), this.user),
      h('button', { type: 'submit', text: 'Apply filters' }));
    this.replaceChildren(h('h1', { text: 'Runs' }), filters, this.note,
      h('table', { class: 'runs' }, h('caption', { class: 'muted', text: 'Newest first; refreshed every 3 seconds' }),
        h('thead', {}, h('tr', {}, ['Run', 'Status', 'User', 'What', 'Created'].map((t) => h('th', { scope: 'col', text: t })))),
        this.rows),
      h('div', { class: 'actions' }, this.prev, this.next));
    this.load();
    this.timer = setInterval(() => this.load(), 3000);
  }

  disconnectedCallback() { clearInterval(this.timer); }

  async load() {
    const query = new URLSearchParams({ page: this.page, pageSize: this.pageSize });
    if (this.status.value) query.set('status', this.status.value);
    if (this.user.value.trim()) query.set('userId', this.user.value.trim());
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
    }
  }
}

/** The approval requests of a run's events that no later event has answered. */
function pendingApprovals(run, events) {
  if (run.status !== 'PAUSED') return [];
  const pending = [];
  for (const event of events) {
    if (event.type === 'RUN_APPROVAL_REQUESTED' || event.type === 'STEP_APPROVAL_REQUESTED') {
      pending.push(event);
    } else if (event.type === 'RUN_APPROVED' || event.type === 'RUN_STARTED') {
      for (let i = pending.length - 1; i >= 0; i--) if (!pending[i].stepId) pending.splice(i, 1);
    } else if (event.stepId && event.type !== 'STEP_APPROVAL_REQUESTED') {
      for (let i = pending.length - 1; i >= 0; i--) if (pending[i].stepId === event.stepId) pending.splice(i, 1);
    }
  }
  return pending.filter((e) => e.approval);
}

/** Approve / deny / approve with an edited input, for one approval request. */
function decisionForm(run, request, onDecided) {
  const id = `${run.runId}-${request.seq}`;
  const message = h('p', { role: 'status', id: `msg-${id}` });
  const decide = async (method, path, body) => {
    try {
      const answer = await api(method, path, body);
      message.textContent = `Decided: ${answer.decision || 'done'}.`;
      onDecided?.();
    } catch (e) {
      if (!signedOut(e)) message.textContent = `Not decided (${e.message}).`;
    }
  };
  const children = [
    h('p', {}, request.stepId ? `Step ${request.stepId}: ${request.description || ''}` : 'The run waits for approval to start.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: () =>
        decide('GET', `/v1/runs/approval?token=${encodeURIComponent(request.approval.approveToken)}`), text: 'Approve' }),
      h('button', { type: 'button', class: 'danger', onclick: () =>
        decide('GET', `/v1/runs/approval?token=${encodeURIComponent(request.approval.denyToken)}`), text: 'Deny' })),
  ];
  if (request.stepId) {
    const fieldError = h('p', { class: 'error', id: `input-error-${id}`, role: 'alert' });
    const input = h('textarea', { id: `input-${id}`, rows: 5, 'aria-describedby': `input-error-${id}` });
    input.value = JSON.stringify(request.input ?? {}, null, 2);
    children.push(h('form', { onsubmit: (e) => {
      e.preventDefault();
      let value;
      try { value = JSON.parse(input.value); } catch (err) {
        fieldError.textContent = `Not JSON: ${err.message}`;
        input.focus();
        return;
      }
      fieldError.textContent = '';
      decide('POST', '/v1/runs/approval', { token: request.approval.approveToken, input: value });
    } }, h('label', { for: `input-${id}`, text: 'Input to approve with' }), input, fieldError,
    h('button', { type: 'submit', text: 'Approve with this input' })));
  }
  children.push(message);
  return h('section', { class: 'decision', 'aria-label': `Decision for run ${run.runId}`, 'data-run-id': run.runId }, children);
}

class RunPage extends HTMLElement {
  async connectedCallback() {
    this.runId = this.getAttribute('run-id');
    this.events = [];
    this.steps = new Map();
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
    this.abortNote = h('p', { role: 'status' });
    this.stepList = h('ul', { class: 'steps', 'aria-label': 'Steps' });
    this.decisions = h('div');
    this.timeline = h('ol', { class: 'timeline', 'aria-label': 'Events', 'aria-live': 'polite' });
    this.replaceChildren(h('h1', {}, 'Run ', h('code', { text: this.runId })), this.header,
      h('div', { class: 'actions' }, this.abort), this.abortNote, this.streamState,
      h('h2', { text: 'Steps' }), this.stepList, this.decisions, h('h2', { text: 'Timeline' }), this.timeline);
    this.renderHeader();
    this.stream = new RunStream(this.runId, {
      onEvent: (event) => this.add(event),
      onState: (state) => { this.streamState.textContent = `Stream: ${state}`; this.streamState.dataset.state = state; },
    });
    this.stream.start();
  }

  disconnectedCallback() { this.stream?.stop(); }

  /** Drops the live stream as a network failure would (the stream resumes with Last-Event-ID). */
  dropStream(pauseMs = 0) { this.stream?.drop(pauseMs); }

  renderHeader() {
    const run = this.run;
    const row = (term, value) => [h('dt', { text: term }), h('dd', {}, value)];
    this.header.replaceChildren(...row('Status', h('span', { id: 'run-status', class: `status status-${run.status}`, text: run.status })),
      ...row('User', run.userId || '—'), ...row('What', run.actionKey || run.intent || '—'),
      ...row('Created', when(run.createdAt)));
    if (run.error) this.header.append(...row('Error', `${run.error.code || ''} ${run.error.message || ''}`.trim()));
    this.abort.disabled = TERMINAL.has(run.status);
  }

  add(event) {
    this.events.push(event);
    this.timeline.append(h('li', { 'data-seq': event.seq },
      h('time', { datetime: event.at, text: event.at ? new Date(event.at).toLocaleTimeString() : '' }), ' ',
      h('strong', { text: event.type }), event.stepId ? ` step ${event.stepId}` : '',
      event.error ? ` — ${event.error.code || ''} ${event.error.message || ''}` : ''));
    if (event.stepId) {
      const step = this.steps.get(event.stepId) || { id: event.stepId, description: event.description, status: 'pending' };
      step.description = step.description || event.description;
      step.status = STEP_STATUS[event.type] || step.status;
      this.steps.set(event.stepId, step);
      this.renderSteps();
    }
    // the stream can run ahead of the read model, so the run's status is taken from its events
    const status = RUN_STATUS[event.type] || event.status;
    if (status && status !== this.run.status) {
      this.run.status = status;
      this.renderHeader();
    }
    if (TERMINAL.has(RUN_STATUS[event.type])) this.refreshEnded();
    this.renderDecisions();
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

  renderSteps() {
    this.stepList.replaceChildren(...[...this.steps.values()].map((s) =>
      h('li', { 'data-step-id': s.id, 'data-status': s.status },
        h('strong', { text: s.id }), ' ', h('span', { class: `status status-${s.status}`, text: s.status }),
        h('div', { class: 'muted', text: s.description || '' }))));
  }

  renderDecisions() {
    const pending = pendingApprovals(this.run, this.events);
    this.decisions.replaceChildren(...(pending.length ? [h('h2', { text: 'Waiting for a decision' }),
      ...pending.map((r) => decisionForm(this.run, r))] : []));
  }

  async doAbort() {
    this.abort.disabled = true;
    try {
      const answer = await api('DELETE', `/v1/runs/${encodeURIComponent(this.runId)}`);
      this.abortNote.textContent = `Abort requested; the run is ${answer.status}.`;
    } catch (e) {
      if (!signedOut(e)) { this.abortNote.textContent = `Abort failed (${e.message}).`; this.abort.disabled = false; }
    }
  }
}

class Decisions extends HTMLElement {
  connectedCallback() {
    this.list = h('div');
    this.blocks = new Map();
    this.note = h('p', { role: 'status', class: 'muted', tabindex: -1 });
    this.replaceChildren(h('h1', { text: 'Decisions' }),
      h('p', { class: 'muted', text: 'Runs waiting for an approval. Refreshed every 5 seconds.' }), this.note, this.list);
    this.load();
    this.timer = setInterval(() => this.load(), 5000);
  }

  disconnectedCallback() { clearInterval(this.timer); }

  /** Adds the requests that are new and removes the answered ones; a request still open keeps its block as it is. */
  async load() {
    try {
      const runs = await api('GET', '/v1/runs?status=PAUSED&includeEvents=true&pageSize=100');
      const open = new Map();
      for (const run of runs) {
        for (const request of pendingApprovals(run, run.events || [])) open.set(`${run.runId}/${request.seq}`, [run, request]);
      }
      for (const [key, block] of this.blocks) {
        if (open.has(key)) continue;
        // keyboard focus is not lost with the answered request's block
        if (block.contains(document.activeElement)) this.note.focus();
        block.remove();
        this.blocks.delete(key);
      }
      for (const [key, [run, request]] of open) {
        if (this.blocks.has(key)) continue;
        const block = h('div', {}, h('h2', {}, h('a', { href: `#/runs/${run.runId}`, text: `Run ${run.runId}` })),
          decisionForm(run, request, () => setTimeout(() => this.load(), 1000)));
        this.blocks.set(key, block);
        this.list.append(block);
      }
      this.note.textContent = open.size ? `${open.size} waiting` : 'Nothing waits for a decision.';
    } catch (e) {
      if (!signedOut(e)) this.note.textContent = `Could not load (${e.message}).`;
    }
  }
}

customElements.define('rw-sign-in', SignIn);
customElements.define('rw-run-list', RunList);
customElements.define('rw-run', RunPage);
customElements.define('rw-decisions', Decisions);

function route() {
  const main = document.getElementById('main');
  const hash = location.hash || '#/runs';
  document.getElementById('nav').hidden = !session.key();
  let view;
  if (!session.key()) view = h('rw-sign-in');
  else if (hash.startsWith('#/runs/')) view = h('rw-run', { 'run-id': decodeURIComponent(hash.slice('#/runs/'.length)) });
  else if (hash === '#/decisions') view = h('rw-decisions');
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
