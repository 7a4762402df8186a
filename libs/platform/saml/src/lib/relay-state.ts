const ORIGIN = 'https://relay-state.invalid';

/**
 * Where to send the browser after sign-in. RelayState comes back from the IdP unsigned, and Azure
 * lets admins set a default one for IdP-initiated sign-in: it is only ever a path of ours, never
 * a URL (`https://evil`, `//evil`, `/\evil` and the like all fall back).
 */
export function safeRelayPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== ORIGIN) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
