import type { Request, Response } from 'express';

const COOKIE = 'sso_session';

export function sessionSecretOf(request: Request): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== COOKIE) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined; // not a cookie we set: the browser simply has no session
    }
  }
  return undefined;
}

/** HttpOnly and SameSite=Lax: scripts never see it and cross-site POSTs never carry it. */
export function setSessionCookie(response: Response, secret: string, expiresAt: Date, secure: boolean): void {
  response.cookie(COOKIE, secret, { httpOnly: true, secure, sameSite: 'lax', path: '/', expires: expiresAt });
}

export function clearSessionCookie(response: Response, secure: boolean): void {
  response.clearCookie(COOKIE, { httpOnly: true, secure, sameSite: 'lax', path: '/' });
}
