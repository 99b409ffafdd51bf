// #/registry: the owner's actions (newest version of each, older versions on demand) with what they declare about
// side effects, their integrations and whether they are active, and connected accounts with their status. Built from
// GET /v1/actions, /v1/actions/{key}?version=, /v1/integrations and /v1/connected-accounts; the API never returns a
// credential, and this page shows only the named fields below (no auth secret, even if one were in an answer).
import { api, signedOut } from './api.js';
import { h, when, statusText } from './dom.js';

const yes = (v) => (v ? 'yes' : 'no');

function sideEffects(action) {
  const effects = action.sideEffects;
  if (effects === undefined || effects === null) return '—';
  return typeof effects === 'string' ? effects : JSON.stringify(effects);
}

function versionRow(action) {
  return h('tr', { 'data-action': action.key, 'data-version': action.version },
    h('td', { text: `v${action.version}` }), h('td', { text: action.type || '' }),
    h('td', { text: sideEffects(action) }), h('td', { text: yes(action.destructive) }),
    h('td', { text: yes(action.acceptsIdempotencyKey) }), h('td', {}, statusText(action.status)),
    h('td', { text: when(action.updatedAt || action.createdAt) }));
}

const versionHead = () => h('thead', {}, h('tr', {},
  ['Version', 'Type', 'Side effects', 'Destructive', 'Idempotency key', 'State', 'Written'].map((t) => h('th', { scope: 'col', text: t }))));

function actionBlock(action) {
  const older = h('tbody');
  const details = h('details', { ontoggle: async () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = 'true';
    for (let v = action.version - 1; v >= 1; v--) {
      try {
        older.append(versionRow(await api('GET', `/v1/actions/${encodeURIComponent(action.key)}?version=${v}`)));
      } catch (e) {
        if (signedOut(e)) return;
        older.append(h('tr', {}, h('td', { colspan: 7, class: 'error', text: `v${v}: ${e.message}` })));
      }
    }
  } }, h('summary', { text: `Older versions (${action.version - 1})` }),
  h('table', { class: 'versions' }, versionHead(), older));
  return h('section', { class: 'registry-item', 'data-action': action.key, 'aria-label': `Action ${action.key}` },
    h('h3', {}, h('code', { text: action.key }), ' ', action.intent ? h('span', { class: 'muted', text: action.intent }) : null),
    action.description ? h('p', { text: action.description }) : null,
    h('table', { class: 'versions' }, versionHead(), h('tbody', {}, versionRow(action))),
    action.version > 1 ? details : null);
}

export class RegistryPage extends HTMLElement {
  connectedCallback() {
    this.actions = h('div', { id: 'actions' }, h('p', { class: 'muted', text: 'Loading…' }));
    this.integrations = h('tbody');
    this.accounts = h('tbody');
    this.note = h('p', { role: 'status', class: 'muted' });
    this.replaceChildren(h('h1', { text: 'Registry' }), this.note,
      h('h2', { text: 'Actions' }), this.actions,
      h('h2', { text: 'Integrations' }),
      h('table', { class: 'runs', id: 'integrations' }, h('thead', {}, h('tr', {},
        ['Key', 'Name', 'Base URL', 'Authentication', 'State'].map((t) => h('th', { scope: 'col', text: t })))), this.integrations),
      h('h2', { text: 'Connected accounts' }),
      h('table', { class: 'runs', id: 'accounts' }, h('thead', {}, h('tr', {},
        ['Integration', 'User or entity', 'Status', 'Expires', 'Connected'].map((t) => h('th', { scope: 'col', text: t })))), this.accounts));
    this.load();
  }

  async load() {
    try {
      const [actions, integrations, accounts] = await Promise.all([api('GET', '/v1/actions'),
        api('GET', '/v1/integrations'), api('GET', '/v1/connected-accounts?pageSize=100')]);
      this.actions.replaceChildren(...(actions.length ? actions.map(actionBlock) : [h('p', { class: 'muted', text: 'No actions.' })]));
      this.integrations.replaceChildren(...integrations.map((i) => h('tr', { 'data-integration': i.key },
        h('td', {}, h('code', { text: i.key })), h('td', { text: i.name || '' }), h('td', { text: i.baseUrl || '' }),
        // the scheme's kind and where it goes; never its client id or secret
        h('td', { text: [i.auth?.type || 'none', i.auth?.in, i.auth?.name].filter(Boolean).join(' · ') }),
        h('td', {}, statusText(i.active ? 'active' : 'inactive')))));
      this.accounts.replaceChildren(...accounts.map((a) => h('tr', { 'data-account': a.id },
        h('td', { text: a.integrationKey }), h('td', { text: a.userId || a.entityId || '' }),
        h('td', {}, statusText(a.status), a.statusReason ? h('span', { class: 'muted', text: ` ${a.statusReason}` }) : null),
        h('td', { text: when(a.expiresAt) || '—' }), h('td', { text: when(a.createdAt) }))));
      this.note.textContent = '';
    } catch (e) {
      if (!signedOut(e)) this.note.textContent = `Could not load the registry (${e.message}).`;
    }
  }
}
