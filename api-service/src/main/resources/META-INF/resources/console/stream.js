// Reads GET /v1/runs/{id}/sse (with the steps' input and output when toolCalls) with fetch (EventSource cannot send the credential's header), parses the SSE frames
// itself, and after a dropped connection reconnects with Last-Event-ID = the last sequence it handed on. Events are
// handed on only when their sequence is above that one, so a replayed event is never handed on twice.
import { credentials } from './api.js';

export class RunStream {
  constructor(runId, { onEvent, onState, toolCalls = false }) {
    this.runId = runId;
    this.toolCalls = toolCalls;
    this.onEvent = onEvent;
    this.onState = onState || (() => {});
    this.lastSeq = null;
    this.stopped = false;
    this.ended = false;
    this.controller = null;
    this.connects = 0;
  }

  start() { this.loop(); }

  stop() { this.stopped = true; this.controller?.abort(); }

  async loop() {
    let delay = 250;
    while (!this.stopped && !this.ended) {
      this.controller = new AbortController();
      const headers = { ...credentials(), accept: 'text/event-stream' };
      if (this.lastSeq !== null) headers['Last-Event-ID'] = String(this.lastSeq);
      try {
        this.onState(this.connects++ === 0 ? 'connecting' : 'reconnecting');
        const query = this.toolCalls ? '?includeToolCalls=true' : '';
        const response = await fetch(`/v1/runs/${encodeURIComponent(this.runId)}/sse${query}`,
          { headers, signal: this.controller.signal, cache: 'no-store' });
        if (response.status === 401 || response.status === 404) {
          this.onState(response.status === 404 ? 'not found' : 'signed out');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        this.onState('live');
        delay = 250;
        await this.read(response.body);
      } catch (e) {
        if (this.stopped) return;
      }
      if (this.stopped || this.ended) break;
      this.onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
    if (this.ended) this.onState('ended');
  }

  async read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.frame(frame);
      }
    }
  }

  frame(text) {
    let id = null, type = 'message';
    const data = [];
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    const event = JSON.parse(data.join('\n'));
    const seq = Number(id ?? event.seq);
    if (this.lastSeq !== null && seq <= this.lastSeq) return;
    this.lastSeq = seq;
    this.onEvent(event, type);
    if (/^RUN_(SUCCEEDED|PARTIAL_SUCCESS|NO_SUCCESS|FAILED|CANCELED)$/.test(event.type)) this.ended = true;
  }
}
