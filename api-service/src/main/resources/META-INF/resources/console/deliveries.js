// Callbacks: a run's deliveries with every attempt (status, latency, excerpt of the answer) and redelivery; the owner's
// recent deliveries and the recover action (send again every failed delivery since a time, e.g. after an outage).
// All through the public delivery API: GET /v1/callbacks, GET /v1/callbacks/{id}, POST .../redeliver, POST /v1/callbacks/recover.
import { api, signedOut, Poller } from './api.js';
import { h, when, statusText } from './dom.js';

function attemptsTable(delivery) {
  const attempts = delivery.attemptHistory || [];
  if (!attempts.length) return h('p', { class: 'muted', text: 'No attempt yet.' });
  return h('table', { class: 'attempts' },
    h('caption', { class: 'muted', text: `Attempts of the ${delivery.eventType} callback` }),
    h('thead', {}, h('tr', {}, ['#', 'When', 'Answer', 'Latency', 'Excerpt'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, attempts.map((a) => h('tr', { 'data-attempt': a.attempt },
      h('td', { text: a.attempt }), h('td', { text: when(a.at) }),
      h('td', { class: a.statusCode >= 200 && a.statusCode < 300 ? 'status status-succeeded' : 'status status-failed',
        text: a.statusCode ? String(a.statusCode) : (a.error || 'no answer') }),
      h('td', { text: `${a.latencyMs} ms` }),
      h('td', {}, h('code', { class: 'excerpt', text: a.responseExcerpt || a.error || '' }))))));
}

/** One delivery with its attempts and a redeliver button; reloads itself until a redelivery has ended. */
function deliveryBlock(delivery, reload) {
  const note = h('p', { role: 'status' });
  const button = h('button', { type: 'button', text: 'Redeliver', disabled: delivery.state === 'pending',
    'aria-describedby': delivery.state === 'pending' ? `pending-${delivery.id}` : null,
    onclick: async () => {
      button.disabled = true;
      try {
        await api('POST', `/v1/callbacks/${encodeURIComponent(delivery.id)}/redeliver`);
        note.textContent = 'Redelivery scheduled.';
        reload(true);
      } catch (e) {
        if (!signedOut(e)) { note.textContent = `Not redelivered (${e.message}).`; button.disabled = false; }
      }
    } });
  return h('section', { class: 'delivery', 'data-delivery-id': delivery.id, 'data-state': delivery.state,
    'aria-label': `Callback ${delivery.eventType}` },
  h('h3', {}, `${delivery.eventType} `, statusText(delivery.state)),
  h('p', { class: 'muted' }, `to ${delivery.url} · ${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`,
    delivery.nextAttemptAt ? ` · next ${when(delivery.nextAttemptAt)}` : ''),
  delivery.state === 'pending' ? h('p', { class: 'muted', id: `pending-${delivery.id}`, text: 'Still being delivered; it can be redelivered once it has ended.' }) : null,
  attemptsTable(delivery), h('div', { class: 'actions' }, button), note);
}

/** A run's callbacks, on the run page: loaded when asked, not on a timer (each load is a request per callback). */
export class RunDeliveries {
  constructor(runId) {
    this.runId = runId;
    this.list = h('div');
    this.note = h('p', { role: 'status', class: 'muted' });
    this.element = h('div', { class: 'deliveries' }, this.note, this.list,
      h('div', { class: 'actions' }, h('button', { type: 'button', text: 'Refresh callbacks', onclick: () => this.load().catch(() => {}) })));
  }

  /** Loads now; the run page calls it again when the run pauses or ends (what calls back) and after a redelivery. */
  start() { this.load().catch(() => {}); }

  async load() {
    try {
      const deliveries = await api('GET', `/v1/callbacks?runId=${encodeURIComponent(this.runId)}&pageSize=100`);
      const full = await Promise.all(deliveries.map((d) => api('GET', `/v1/callbacks/${encodeURIComponent(d.id)}`)));
      this.list.replaceChildren(...full.map((d) => deliveryBlock(d, (soon) => this.soon(soon))));
      this.note.textContent = full.length ? '' : 'This run has no callbacks (it was started without a callbackUrl, or none is due yet).';
      return full;
    } catch (e) {
      if (!signedOut(e)) this.note.textContent = `Could not load the callbacks (${e.message}).`;
      throw e;
    }
  }

  /** After a redelivery: look again each second until nothing is pending (at most 30 times). */
  async soon(_, tries = 0) {
    const full = await this.load().catch(() => null);
    if (tries < 30 && (!full || full.some((d) => d.state === 'pending'))) setTimeout(() => this.soon(true, tries + 1), 1000);
  }
}

/** #/deliveries: the owner's recent callbacks and the recover action. */
export class DeliveriesPage extends HTMLElement {
  connectedCallback() {
    const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
    const local = new Date(dayAgo.getTime() - dayAgo.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    this.since = h('input', { id: 'recover-since', name: 'since', type: 'datetime-local', value: local });
    this.recoverNote = h('p', { role: 'status' });
    this.rows = h('tbody');
    this.note = h('p', { role: 'status', class: 'muted' });
    this.replaceChildren(h('h1', { text: 'Callbacks' }),
      h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); this.recover(); } },
        h('div', {}, h('label', { for: 'recover-since', text: 'Failed since' }), this.since),
        h('button', { type: 'submit', text: 'Send failed callbacks again' })),
      h('p', { class: 'muted', text: 'After a receiver was down for longer than the retry schedule, this sends every failed callback created since then once more.' }),
      this.recoverNote, this.note,
      h('table', { class: 'runs' }, h('caption', { class: 'muted', text: 'Newest first' }),
        h('thead', {}, h('tr', {}, ['Run', 'Event', 'State', 'Attempts', 'To', 'Created'].map((t) => h('th', { scope: 'col', text: t })))),
        this.rows));
    this.poller = new Poller(() => this.load(), 15000);
    this.poller.start();
  }

  disconnectedCallback() { this.poller.stop(); }

  async load() {
    try {
      const deliveries = await api('GET', '/v1/callbacks?pageSize=50');
      this.rows.replaceChildren(...deliveries.map((d) => h('tr', { 'data-delivery-id': d.id },
        h('td', {}, h('a', { href: `#/runs/${d.runId}`, text: d.runId })), h('td', { text: d.eventType }),
        h('td', {}, statusText(d.state)), h('td', { text: d.attempts }), h('td', { text: d.url }),
        h('td', { text: when(d.createdAt) }))));
      this.note.textContent = deliveries.length ? '' : 'No callbacks yet.';
    } catch (e) {
      if (!signedOut(e)) this.note.textContent = `Could not load the callbacks (${e.message}).`;
      throw e;
    }
  }

  async recover() {
    const since = this.since.value ? new Date(this.since.value) : null;
    if (!since || Number.isNaN(since.getTime())) {
      this.recoverNote.textContent = 'Give a date and time.';
      return;
    }
    try {
      const answer = await api('POST', '/v1/callbacks/recover', { since: since.toISOString() });
      this.recoverNote.textContent = `${answer.redelivered} failed callback${answer.redelivered === 1 ? '' : 's'} scheduled again.`;
      this.poller.now();
    } catch (e) {
      if (!signedOut(e)) this.recoverNote.textContent = `Not recovered (${e.message}).`;
    }
  }
}
