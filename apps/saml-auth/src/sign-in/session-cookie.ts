import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SERVICE_CONFIG, type ServiceConfig } from '@identity/platform-service';
import { serviceProviderOf } from '@identity/sso-application';

/**
 * The browser's session cookie, HttpOnly and SameSite=Lax: scripts never see it and cross-site
 * POSTs never carry it. Over https it is `__Host-sso_session`: a browser takes such a cookie only
 * from this host, over TLS, with Path=/ and no Domain, so a sibling subdomain cannot plant one to
 * sign someone in as another user. Plain http (local development) cannot carry the prefix.
 */
@Injectable()
export class SessionCookie {
  readonly secure: boolean;
  readonly name: string;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.secure = serviceProviderOf(config).baseUrl.startsWith('https:');
    this.name = this.secure ? '__Host-sso_session' : 'sso_session';
  }

  secretOf(request: Request): string | undefined {
    for (const part of (request.headers.cookie ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name !== this.name) continue;
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined; // not a cookie we set: the browser simply has no session
      }
    }
    return undefined;
  }

  set(response: Response, secret: string, expiresAt: Date): void {
    response.cookie(this.name, secret, { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/', expires: expiresAt });
  }

  clear(response: Response): void {
    response.clearCookie(this.name, { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/' });
  }
}
