// The agent's HTTP API: reads, dry runs, and mutations that carry the admin token.
//
// The token is asked for once, when the first mutating action needs it, and kept in sessionStorage: it
// survives a reload of this tab and is gone when the tab closes. A 401 forgets it, so the next action
// asks again. Errors are problem+json; callers show `detail` exactly as the agent words it.

const TOKEN_KEY = 'cahoots.adminToken';
// When the agent has AGENT_READ_TOKEN, reads need a token too: the admin token if this tab has one, else a
// read token asked for at the first 401 and kept the same way.
const READ_KEY = 'cahoots.readToken';

export const tokenEvents = new EventTarget();

export class ApiError extends Error {
  constructor(status, title, detail, body) {
    super(detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.body = body;
  }
}

/** The user closed the token dialog: not an error to show. */
export class Cancelled extends Error {
}

async function parse(res) {
  const text = await res.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!res.ok) {
    if (body && typeof body === 'object' && typeof body.detail === 'string') {
      throw new ApiError(res.status, body.title || res.statusText, body.detail, body);
    }
    const detail = typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : `HTTP ${res.status}`;
    throw new ApiError(res.status, body && body.title || res.statusText || 'Error', detail, body);
  }
  return {status: res.status, body, headers: res.headers};
}

async function send(path, init) {
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Agent unreachable', `cannot reach the agent: ${e.message}`, null);
  }
  return parse(res);
}

function readHeaders(extra) {
  const token = sessionStorage.getItem(TOKEN_KEY) || sessionStorage.getItem(READ_KEY);
  return token ? {...extra, Authorization: 'Bearer ' + token} : extra;
}

/** True once a read was refused without a token: the page then polls (EventSource cannot send one). */
export function readTokenNeeded() {
  return !!sessionStorage.getItem(READ_KEY) || readRefused;
}

let readRefused = false;
let pendingReadToken = null;

/** A read; a 401 asks once (for all reads waiting at that moment) for the read token and tries again. */
async function sendRead(path, init) {
  try {
    return await send(path, {...init, headers: readHeaders(init.headers)});
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    readRefused = true;
    sessionStorage.removeItem(READ_KEY);
    if (!pendingReadToken) {
      pendingReadToken = askToken('This agent needs a token to read (AGENT_READ_TOKEN, or the admin token).')
          .then(t => sessionStorage.setItem(READ_KEY, t))
          .finally(() => { pendingReadToken = null; });
    }
    await pendingReadToken;
    return send(path, {...init, headers: readHeaders(init.headers)});
  }
}

export async function get(path, init = {}) {
  return (await sendRead(path, {...init, headers: {Accept: 'application/json'}, cache: 'no-store'})).body;
}

/** A POST that changes nothing (a rebalance dry run): no admin token, but the read token when reads need one. */
export async function postRead(path, body) {
  return (await sendRead(path, {
    method: 'POST', headers: {'Content-Type': 'application/json', Accept: 'application/json'},
    body: JSON.stringify(body ?? {}),
  })).body;
}

export function hasToken() {
  return !!sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken(reason = 'forgotten') {
  sessionStorage.removeItem(TOKEN_KEY);
  tokenEvents.dispatchEvent(new CustomEvent('change', {detail: {set: false, reason}}));
}

function keepToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  tokenEvents.dispatchEvent(new CustomEvent('change', {detail: {set: true, reason: 'entered'}}));
}

/** Set by the page: shows the token dialog, resolves with the token or rejects with Cancelled. */
let askToken = async () => {
  throw new Cancelled('no token dialog');
};

export function setTokenPrompt(fn) {
  askToken = fn;
}

/**
 * A mutating request with the admin token (asked for first when this tab has none). Answers
 * {status, body, headers}; throws ApiError with the agent's detail, or Cancelled.
 */
export async function mutate(method, path, body, why) {
  let token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    token = await askToken(why);
    keepToken(token);
  }
  const init = {method, headers: {Accept: 'application/json', Authorization: 'Bearer ' + token}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  try {
    return await send(path, init);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetToken('refused');
    }
    throw e;
  }
}
