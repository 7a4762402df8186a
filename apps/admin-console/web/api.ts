/// <reference lib="dom" />

/** Who signed in: the token stays in this tab's sessionStorage and leaves with it. */
export interface Session {
  token: string;
  kind: 'platform' | 'tenant';
  tenantId: string;
  tenantName?: string;
  /** Signed in with the company's SSO: a short-lived access token, renewed from the SSO session. */
  sso?: { userName: string; expiresAt: number; issuedAt?: number };
}

const SESSION_KEY = 'identity-console.session';

export function loadSession(): Session | null {
  try {
    const stored = sessionStorage.getItem(SESSION_KEY);
    return stored ? (JSON.parse(stored) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** An RFC 9457 problem from the platform, or a network failure put in the same shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly reason?: string,
  ) {
    super(detail || title);
  }
}

export interface RequestOptions {
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * CSRF: the admin APIs authenticate only the `Authorization: Bearer` header, which a page of
 * another origin cannot make a browser send, and the console never lets the browser attach
 * cookies (`credentials: 'omit'`), so no request can ride on ambient authority. A state-changing
 * request without the token is a bug, and it is refused here rather than sent.
 */
export async function api<T>(token: string, method: string, path: string, options: RequestOptions = {}): Promise<T> {
  if (!SAFE_METHODS.has(method) && !token) throw new ApiError(0, 'Not signed in', 'sign in again: this change needs your admin token');
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.contentType) {
    headers['content-type'] = options.contentType;
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'omit', cache: 'no-store', redirect: 'error' });
  } catch {
    throw new ApiError(0, 'Network error', 'the platform could not be reached; check your connection and try again');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as { title?: string; detail?: string; reason?: string };
    // The signed-in admin's own token refused (revoked, expired): the console goes back to sign-in.
    if (response.status === 401 && token !== '' && onTokenRefused) onTokenRefused(token);
    throw new ApiError(response.status, problem.title ?? response.statusText, problem.detail ?? `the request failed (${response.status})`, problem.reason);
  }
  return parsed as T;
}

let onTokenRefused: ((token: string) => void) | undefined;

/**
 * Whether the directory, which issues admin tokens, still takes this one. The other services learn
 * of a token from its events, so one may refuse a token issued a moment ago: only this answer ends
 * a session. A network failure is no answer (true).
 */
export async function directoryTakesToken(token: string): Promise<boolean> {
  try {
    const response = await fetch('/api/v1/tenants?limit=1', { headers: { authorization: `Bearer ${token}` }, credentials: 'omit', cache: 'no-store', redirect: 'error' });
    return response.status !== 401;
  } catch {
    return true;
  }
}

/** What the console does when the platform refuses a token it sent (the app signs out when it is the session's). */
export function whenTokenRefused(handle: (token: string) => void): void {
  onTokenRefused = handle;
}

/** Every item of a paged list (`items` and `total`), 500 at a time: a retail chain has thousands of sites. */
export async function allItems<T>(token: string, path: string): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await api<{ items: T[]; total: number }>(token, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=500&offset=${items.length}`);
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

/** An SSO access token this close to its expiry is renewed before a call is sent with it. */
export const TOKEN_MARGIN_MS = 10_000;

/** Renews an SSO admin's access token and keeps the new session (the console's App provides it); null once the session has ended. */
let renewSso: (() => Promise<Session | null>) | undefined;

export function renewSsoWith(renew: () => Promise<Session | null>): void {
  renewSso = renew;
}

/** The token to send: an SSO admin's, renewed first when it has expired or is about to (after an idle spell, say). */
async function tokenOf(session: Session): Promise<string> {
  if (!session.sso || !renewSso || session.sso.expiresAt - Date.now() > TOKEN_MARGIN_MS) return session.token;
  return (await renewSso())?.token ?? session.token;
}

/** The calls of one signed-in admin for one company. */
export class TenantApi {
  constructor(readonly session: Session) {}

  get tenantId(): string {
    return this.session.tenantId;
  }

  path(suffix: string): string {
    return `/api/v1/tenants/${encodeURIComponent(this.session.tenantId)}${suffix}`;
  }

  async get<T>(suffix: string): Promise<T> {
    return api<T>(await tokenOf(this.session), 'GET', this.path(suffix));
  }

  async all<T>(suffix: string): Promise<T[]> {
    return allItems<T>(await tokenOf(this.session), this.path(suffix));
  }

  async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', suffix: string, options: RequestOptions = {}): Promise<T> {
    return api<T>(await tokenOf(this.session), method, this.path(suffix), options);
  }
}

export function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
