import { CONTROL_CHARACTERS } from './saml-message';

const ORIGIN = 'https://relay-state.invalid';

/**
 * Where to send the browser after sign-in. RelayState comes back from the IdP unsigned, and Azure
 * lets admins set a default one for IdP-initiated sign-in: it is only ever a path of ours, never
 * a URL (`https://evil`, `//evil`, `/\evil` and the like all fall back). The check runs again on
 * the normalised path, because dot-segments (`/.//evil`, `/%2e//evil`) normalise into `//evil`.
 */
export function safeRelayPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  if (CONTROL_CHARACTERS.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, ORIGIN);
  } catch {
    return fallback;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== ORIGIN || path.startsWith('//')) return fallback;
  return path;
}
