// The console's only way to the server: the public API with the owner's key. The key lives in sessionStorage
// (gone when the tab closes) and is sent as x-api-key, never put in a URL.
const KEY = 'runwire.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
  }
}

function describe(status, body) {
  const first = body && Array.isArray(body.errors) ? body.errors[0] : null;
  const detail = first ? (first.detail || first.title || first.code) : (body && (body.detail || body.message));
  return `${status}${detail ? ': ' + detail : ''}`;
}

export async function api(method, path, body) {
  const headers = { 'x-api-key': session.key() || '', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { detail: text.slice(0, 200) }; }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}
