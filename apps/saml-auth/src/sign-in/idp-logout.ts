import type { Request, Response } from 'express';
import type { SignInService } from '@identity/sso-application';
import { sendSignOutConfirmation } from './html-pages';
import type { SessionCookie } from './session-cookie';

/**
 * An IdP's logout message over the Redirect binding, at `/saml2` or at the Logout URL we give
 * admins (`/sso/logout`). Its signature covers the query exactly as sent, so that is passed raw.
 */
export async function answerIdpLogout(signIn: SignInService, cookie: SessionCookie, message: unknown, request: Request, response: Response): Promise<void> {
  const query = request.originalUrl.indexOf('?');
  const outcome = await signIn.signOutFromIdp(message, query === -1 ? '' : request.originalUrl.slice(query + 1), cookie.secretOf(request));
  if (outcome === 'confirm') return sendSignOutConfirmation(response);
  cookie.clear(response);
  response.redirect(303, outcome.signedOut);
}

/** The SAML message of a Redirect-binding query, if it holds one. */
export function redirectBindingMessage(query: Record<string, unknown>): unknown {
  return query.SAMLRequest ?? query.SAMLResponse;
}
