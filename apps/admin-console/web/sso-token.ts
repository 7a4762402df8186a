import type { Session } from './api';

/** What `POST /sso/token` answers. */
export interface SsoTokenResponse {
  accessToken: string;
  expiresIn: number;
  /** The session was a console admin's, but its sign-in is older than SSO_CONSOLE_ADMIN_TTL_SECONDS: a new one restores it while the role is held. */
  adminSignInExpired?: true;
}

/** Where an admin whose sign-in is too old goes: straight to the company's IdP, and back to the console. */
export interface SignInAgain {
  signInAgain: string;
}

/** The console session a token gives: an admin's, none (no admin role), or a new sign-in first. */
export function sessionOfToken({ accessToken, expiresIn, adminSignInExpired }: SsoTokenResponse, now: number): Session | 'not-admin' | SignInAgain {
  const claims = JSON.parse(atob(accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { tid: string; name: string; adm?: boolean };
  if (claims.adm !== true) {
    return adminSignInExpired ? { signInAgain: `/sso/login/${encodeURIComponent(claims.tid)}?relayState=${encodeURIComponent('/console')}` } : 'not-admin';
  }
  return { token: accessToken, kind: 'tenant', tenantId: claims.tid, sso: { userName: claims.name, expiresAt: now + expiresIn * 1000, issuedAt: now } };
}
