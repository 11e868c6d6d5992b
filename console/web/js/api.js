// The console's only way out: its session endpoint and the signing proxy
// in front of Coffer's own APIs. The secret goes out once, in the sign-in
// request, and is never kept; later calls carry the HttpOnly session
// cookie (sent by the browser, invisible here) and, when they change
// something, the CSRF token held in this module's memory.

export const base = '/_coffer/console/api';

let csrfToken = '';
let onSessionLost = () => {};

// ApiError is a failed call: code and message as the API sent them.
export class ApiError extends Error {
  constructor(code, message, status, service) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.service = service;
  }
}

// whenSessionLost sets what happens when the server no longer knows the
// session (expired, signed out elsewhere).
export function whenSessionLost(fn) {
  onSessionLost = fn;
}

function remember(session) {
  if (session && session.csrfToken) csrfToken = session.csrfToken;
  return session;
}

// signIn opens a session; the secret is sent in this request only.
export async function signIn(accessKeyId, secretAccessKey) {
  const resp = await fetch(base + '/session', {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ accessKeyId, secretAccessKey }),
  });
  if (!resp.ok) throw await errorOf(resp, 'console');
  return remember(await resp.json());
}

// currentSession is the session the cookie names, or null.
export async function currentSession() {
  const resp = await fetch(base + '/session', { credentials: 'same-origin', cache: 'no-store' });
  if (resp.status === 401) return null;
  if (!resp.ok) throw await errorOf(resp, 'console');
  return remember(await resp.json());
}

// signOut ends the session on the server.
export async function signOut() {
  const resp = await fetch(base + '/session', {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { 'X-CSRF-Token': csrfToken },
  });
  csrfToken = '';
  if (!resp.ok && resp.status !== 401) throw await errorOf(resp, 'console');
}

// csrfHeaders are the headers a state-changing request needs.
export function csrfHeaders() {
  return { 'X-CSRF-Token': csrfToken };
}

// awsURL is the proxy URL of an API path.
export function awsURL(service, path = '/', query) {
  const qs = query ? new URLSearchParams(query).toString() : '';
  return base + '/aws/' + service + path + (qs ? '?' + qs : '');
}

// aws sends one request through the proxy and resolves to the Response
// when it succeeded; a failure rejects with an ApiError.
export async function aws(service, { method = 'GET', path = '/', query, headers = {}, body } = {}) {
  const h = new Headers(headers);
  if (method !== 'GET' && method !== 'HEAD') h.set('X-CSRF-Token', csrfToken);
  const resp = await fetch(awsURL(service, path, query), {
    method,
    headers: h,
    body,
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!resp.ok) throw await errorOf(resp, service, method);
  return resp;
}

// json11 calls an AWS JSON 1.1 operation (KMS, CloudTrail).
export async function json11(service, target, payload = {}) {
  const resp = await aws(service, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
    body: JSON.stringify(payload),
  });
  const text = await resp.text();
  return text ? JSON.parse(text) : {};
}

// query calls an AWS query-protocol action (IAM, STS) and returns the
// parsed XML response document.
export async function query(service, action, params = {}) {
  const form = new URLSearchParams({ Action: action, Version: service === 'sts' ? '2011-06-15' : '2010-05-08' });
  for (const [k, v] of Object.entries(params)) form.set(k, v);
  const resp = await aws(service, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form.toString(),
  });
  return parseXML(await resp.text());
}

// parseXML parses an XML document; namespaces are ignored by the readers
// below, which match local names.
export function parseXML(text) {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) {
    throw new ApiError('MalformedResponse', 'The server sent a response that is not XML.', 0, '');
  }
  return doc;
}

// child is the first descendant element with the local name, or null.
export function child(node, name) {
  const all = node.getElementsByTagNameNS('*', name);
  return all.length > 0 ? all[0] : null;
}

// text is the text of the first descendant named name, or ''.
export function text(node, name) {
  const el = child(node, name);
  return el ? el.textContent : '';
}

// children are the direct child elements with the local name.
export function children(node, name) {
  return Array.from(node.children).filter((c) => c.localName === name);
}

// errorOf turns a failed response into an ApiError, keeping the API's
// own code and message: S3 and IAM send XML, KMS and CloudTrail JSON
// with __type, the console its own JSON. HEAD answers carry no body, so
// only the status is known.
export async function errorOf(resp, service, method) {
  let body = '';
  if (method !== 'HEAD') {
    try {
      body = await resp.text();
    } catch {
      body = '';
    }
  }
  let code = '';
  let message = '';
  const type = resp.headers.get('Content-Type') || '';
  if (body && (type.includes('json') || body.trimStart().startsWith('{'))) {
    try {
      const j = JSON.parse(body);
      code = j.__type || j.error || j.code || j.Code || '';
      message = j.message || j.Message || '';
      if (code.includes('#')) code = code.slice(code.lastIndexOf('#') + 1);
      if (code.includes(':')) code = code.slice(0, code.indexOf(':'));
    } catch {
      /* not JSON after all: fall through */
    }
  } else if (body && body.trimStart().startsWith('<')) {
    const doc = new DOMParser().parseFromString(body, 'application/xml');
    code = text(doc, 'Code');
    message = text(doc, 'Message');
  }
  if (!code) code = statusCode(resp.status);
  if (!message && method === 'HEAD') message = 'The server answered ' + resp.status + (resp.statusText ? ' ' + resp.statusText : '') + '; a HEAD answer carries no error details.';
  if (!message) message = body && !body.trimStart().startsWith('<') ? body : resp.statusText || 'HTTP ' + resp.status;
  const err = new ApiError(code, message, resp.status, service);
  if (resp.status === 401 && service !== 'console' && isConsoleError(body)) onSessionLost(err);
  return err;
}

// isConsoleError tells the console's own 401 (no or expired session)
// from an API's.
function isConsoleError(body) {
  try {
    const j = JSON.parse(body);
    return typeof j.error === 'string';
  } catch {
    return false;
  }
}

// statusCode names a failure whose body said nothing (HEAD answers).
function statusCode(status) {
  return 'HTTP ' + status;
}
