// What a run waits for, read from its events, and the blocks with which a person answers: approve / deny / approve
// with an edited input (checked against the action's input schema first), connect an account, report a result (a
// form built from the schema the step announced).
import { api, signedOut } from './api.js';
import { h } from './dom.js';
import { schemaForm } from './forms.js';

const TERMINAL_EVENT = /^RUN_(SUCCEEDED|PARTIAL_SUCCESS|NO_SUCCESS|FAILED|CANCELED)$/;
const STEP_WAITS = new Set(['STEP_APPROVAL_REQUESTED', 'STEP_AUTH_REQUIRED', 'STEP_AWAITING_RESULT']);

/** The events a run still waits on: each step's last event when it is a wait, and an open run approval. */
export function pendingWaits(events) {
  const lastOfStep = new Map();
  let runApproval = null;
  for (const event of events) {
    if (TERMINAL_EVENT.test(event.type)) return [];
    if (event.type === 'RUN_APPROVAL_REQUESTED') runApproval = event;
    else if (event.type === 'RUN_APPROVED' || event.type === 'RUN_STARTED') runApproval = null;
    if (event.stepId) lastOfStep.set(event.stepId, event);
  }
  const waits = [...lastOfStep.values()].filter((e) => STEP_WAITS.has(e.type)
    && (e.type !== 'STEP_APPROVAL_REQUESTED' || e.approval));
  return runApproval?.approval ? [runApproval, ...waits] : waits;
}

/** The input schema of the action a step of the run runs (from the run's plan), or null when it cannot be known. */
async function inputSchema(run, stepId) {
  // a run from a list carries no plan: it is read once
  const plan = run.plan !== undefined || run.actionKey ? run.plan
    : (await api('GET', `/v1/runs/${encodeURIComponent(run.runId)}`)).plan;
  const step = plan?.plan?.steps?.find((s) => s.id === stepId);
  const key = step?.action?.key || run.actionKey;
  if (!key) return null;
  const version = step?.action?.version ?? (step ? null : run.actionVersion);
  const action = await api('GET', `/v1/actions/${encodeURIComponent(key)}${version ? `?version=${version}` : ''}`);
  return action.inputSchema ?? null;
}

/** The block that answers one wait; onDone() after an answer was accepted. */
export function waitBlock(run, event, onDone) {
  const id = `${run.runId}-${event.seq}`;
  const message = h('p', { role: 'status', id: `msg-${id}` });
  const send = async (method, path, body, said) => {
    try {
      const answer = await api(method, path, body);
      message.textContent = said(answer);
      onDone?.();
      return true;
    } catch (e) {
      if (!signedOut(e)) message.textContent = `Not accepted (${e.message}).`;
      return false;
    }
  };
  const section = (title, ...children) => h('section', { class: 'decision', 'aria-label': `${title} for run ${run.runId}`,
    'data-run-id': run.runId, 'data-step-id': event.stepId || '', 'data-wait': event.type },
  h('h3', { text: title }), children, message);
  const decided = (answer) => `Decided: ${answer.decision || 'done'}.`;

  if (event.type === 'STEP_AUTH_REQUIRED') {
    const connect = event.connect || {};
    return section('Connection needed',
      h('p', {}, `Step ${event.stepId} needs ${run.userId ? `${run.userId}'s` : 'an'} account for `,
        h('strong', { text: connect.integrationKey || 'its integration' }),
        connect.reason ? ` (${connect.reason.replace(/_/g, ' ')})` : '', '. The run goes on once it is connected.'),
      connect.connectUrl ? h('p', {}, h('a', { href: connect.connectUrl, target: '_blank', rel: 'noopener',
        text: `Connect ${connect.integrationKey || 'the account'}` })) : h('p', { class: 'muted', text: 'No connect link was announced.' }));
  }

  if (event.type === 'STEP_AWAITING_RESULT') {
    const form = schemaForm(event.expects ?? true, undefined, `result-${id}`);
    return section('Result needed',
      h('p', {}, `Step ${event.stepId}${event.description ? ` (${event.description})` : ''} waits for its result.`),
      event.input !== undefined ? h('details', {}, h('summary', { text: 'The step\'s input' }),
        h('pre', { class: 'json' }, JSON.stringify(event.input, null, 2))) : null,
      h('form', { onsubmit: (e) => {
        e.preventDefault();
        const checked = form.submit();
        if (!checked) return;
        send('POST', `/v1/runs/${encodeURIComponent(run.runId)}/steps/${encodeURIComponent(event.stepId)}/result`,
          { output: checked.value }, () => 'Result reported.');
      } }, form.element, h('button', { type: 'submit', class: 'primary', text: 'Report this result' })));
  }

  // an approval: of the run's start, or of one step's call
  const approve = () => send('GET', `/v1/runs/approval?token=${encodeURIComponent(event.approval.approveToken)}`, undefined, decided);
  const deny = () => send('GET', `/v1/runs/approval?token=${encodeURIComponent(event.approval.denyToken)}`, undefined, decided);
  const buttons = h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'primary', onclick: approve, text: 'Approve' }),
    h('button', { type: 'button', class: 'danger', onclick: deny, text: 'Deny' }));
  if (!event.stepId) {
    return section('Approval', h('p', { text: 'The run waits for approval to start.' }), buttons);
  }
  const editArea = h('div', { class: 'edit' }, h('p', { class: 'muted', text: 'Loading the action\'s input schema…' }));
  const block = section('Approval',
    h('p', {}, `Step ${event.stepId}${event.description ? `: ${event.description}` : ''}`),
    buttons, h('h4', { text: 'Approve with an edited input' }), editArea);
  inputSchema(run, event.stepId).catch(() => null).then((schema) => {
    const form = schemaForm(schema ?? true, event.input ?? {}, `input-${id}`);
    editArea.replaceChildren(...[
      schema ? null : h('p', { class: 'muted', text: 'The action\'s schema could not be read; the API checks the input.' }),
      h('form', { onsubmit: (e) => {
        e.preventDefault();
        const checked = form.submit();
        if (!checked) return; // nothing is sent: the problems are shown next to their fields
        send('POST', '/v1/runs/approval', { token: event.approval.approveToken, input: checked.value }, decided);
      } }, form.element, h('button', { type: 'submit', text: 'Approve with this input' }))].filter(Boolean));
  });
  return block;
}

/**
 * Keeps a container's wait blocks in step with the waits: new ones are added, answered ones removed, an open one keeps
 * its block as it is (so what someone types is never replaced). `focusTarget` takes the focus of a removed block.
 */
export class WaitBlocks {
  constructor(container, focusTarget) {
    this.container = container;
    this.focusTarget = focusTarget;
    this.blocks = new Map();
  }

  /** entries: [key, () => element] of the waits open now. */
  update(entries) {
    const open = new Map(entries);
    for (const [key, block] of this.blocks) {
      if (open.has(key)) continue;
      if (block.contains(document.activeElement)) this.focusTarget?.focus();
      block.remove();
      this.blocks.delete(key);
    }
    for (const [key, build] of open) {
      if (this.blocks.has(key)) continue;
      const block = build();
      this.blocks.set(key, block);
      this.container.append(block);
    }
    return open.size;
  }
}
