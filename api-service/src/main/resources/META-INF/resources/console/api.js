// The console's only way to the server: the public API with the owner's API key or a JWT of the configured issuer.
// It lives in sessionStorage (gone when the tab closes) and is sent as x-api-key (a key) or as a Bearer token (a JWT),
// never put in a URL.
const KEY = 'runwire.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** Three base64url parts, the first a JSON header: a JWT (an API key is never one). */
const JWT = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The header that carries the signed-in credential. */
export function credentials() {
  const secret = session.key() || '';
  return JWT.test(secret) ? { authorization: `Bearer ${secret}` } : { 'x-api-key': secret };
}

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

function describe(status, body) {
  const first = body && Array.isArray(body.errors) ? body.errors[0] : null;
  const detail = first ? (first.detail || first.title || first.code) : (body && (body.detail || body.message));
  return `${status}${detail ? ': ' + detail : ''}`;
}

export async function api(method, path, body) {
  const headers = { ...credentials(), accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { detail: text.slice(0, 200) }; }
  if (!response.ok) throw new ApiError(response.status, json, Number(response.headers.get('retry-after')) || null);
  return json;
}

/**
 * Calls `load` now and then every `everyMs` while the tab is visible; a hidden tab makes no requests and loads again
 * when it is shown. A 429 waits for its Retry-After (or doubles the interval, up to 2 minutes) before the next call,
 * so a console left open does not spend the owner's rate limit (200 requests per 5 minutes by default).
 */
export class Poller {
  constructor(load, everyMs) {
    this.load = load;
    this.everyMs = everyMs;
    this.delay = everyMs;
    this.timer = null;
    this.running = false;
    this.onVisibility = () => { if (document.visibilityState === 'visible') this.now(); else this.clear(); };
  }

  start() {
    this.running = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.now();
  }

  stop() {
    this.running = false;
    this.clear();
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  clear() { clearTimeout(this.timer); this.timer = null; }

  /** Loads at once (e.g. after an action), then keeps the schedule. */
  async now() {
    this.clear();
    if (!this.running || document.visibilityState === 'hidden') return;
    try {
      await this.load();
      this.delay = this.everyMs;
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        this.delay = e.retryAfter ? e.retryAfter * 1000 : Math.min(this.delay * 2, 120000);
      }
    }
    if (this.running && document.visibilityState !== 'hidden') this.timer = setTimeout(() => this.now(), this.delay);
  }
}

/** A 401 ends the session: back to the sign-in form. Answers whether it was one. */
export function signedOut(e) {
  if (e instanceof ApiError && e.status === 401) {
    session.signOut();
    location.hash = '#/sign-in';
    return true;
  }
  return false;
}
