import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { SamlRejected, type SamlRejection } from '@identity/platform-saml';
import { currentCorrelationId, requestBodyFault, type Problem } from '@identity/platform-service';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
main{max-width:28rem;margin:10vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}label{display:block;font-weight:600;margin-bottom:.4rem}
input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8a93a6;border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #2a6df4;outline-offset:2px}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;background:#1f4fd1;color:#fff;border:0;border-radius:4px;cursor:pointer}
.reference{color:#5b6475;font-size:.85rem}`;

/** Our HTML pages: no script, no external resource, a strict CSP, never framed. */
export function sendPage(response: Response, status: number, title: string, body: string): void {
  const nonce = randomBytes(16).toString('base64');
  response
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head><body><main>${body}</main></body></html>`,
    );
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** What the person at the browser may know: what to do next, never which check failed. */
const MESSAGES: Record<SamlRejection, { status: number; title: string; text: string }> = {
  malformed: { status: 400, title: 'Sign-in failed', text: 'The sign-in message from your identity provider could not be read. Start again from your company’s sign-in page.' },
  'too-large': { status: 413, title: 'Sign-in failed', text: 'The sign-in message from your identity provider was too large. Contact your administrator.' },
  'unsafe-xml': { status: 400, title: 'Sign-in failed', text: 'The sign-in message from your identity provider could not be accepted.' },
  'weak-algorithm': { status: 403, title: 'Sign-in failed', text: 'Your identity provider signs with an algorithm we do not accept (SHA-1). Ask your administrator to choose SHA-256.' },
  // The same words as a failed signature: a different page would tell anyone which Azure AD tenants are our customers.
  'unknown-tenant': { status: 403, title: 'Sign-in failed', text: 'The sign-in could not be verified. Contact your administrator.' },
  'sso-disabled': { status: 403, title: 'Single sign-on is off', text: 'Single sign-on is not enabled for your company. Contact your administrator.' },
  'invalid-signature': { status: 403, title: 'Sign-in failed', text: 'The sign-in could not be verified. Contact your administrator.' },
  'wrong-issuer': { status: 403, title: 'Sign-in failed', text: 'The sign-in could not be verified. Contact your administrator.' },
  'wrong-audience': { status: 403, title: 'Sign-in failed', text: 'The sign-in could not be verified. Contact your administrator.' },
  'wrong-destination': { status: 403, title: 'Sign-in failed', text: 'The sign-in could not be verified. Contact your administrator.' },
  'wrong-recipient': { status: 403, title: 'Sign-in failed', text: 'The sign-in could not be verified. Contact your administrator.' },
  expired: { status: 403, title: 'Sign-in expired', text: 'The sign-in took too long or your device clock is off. Start again from your company’s sign-in page.' },
  'unknown-request': { status: 403, title: 'Sign-in expired', text: 'This sign-in was already used or has expired. Start again from your company’s sign-in page.' },
  replayed: { status: 403, title: 'Sign-in expired', text: 'This sign-in was already used or has expired. Start again from your company’s sign-in page.' },
  'idp-error': { status: 403, title: 'Sign-in failed', text: 'Your identity provider did not sign you in. Contact your administrator if this keeps happening.' },
  'unknown-user': { status: 403, title: 'No access', text: 'Your account is not set up for this service, or single sign-on is not available for it. Contact your administrator.' },
  'encrypted-assertion': {
    status: 400,
    title: 'Sign-in failed',
    text: 'Your identity provider encrypts the sign-in (Azure AD’s token encryption), which this service does not support. Ask your administrator to turn token encryption off for this application.',
  },
  'inactive-user': { status: 403, title: 'No access', text: 'Your account is not set up for this service, or single sign-on is not available for it. Contact your administrator.' },
};

/** The SAML error page, for every error on the sign-in paths (including refused request bodies). */
export function renderSignInError(error: unknown, response: Response, problem: Problem): void {
  const bodyFault = requestBodyFault(error);
  const rejection =
    error instanceof SamlRejected ? error.reason : bodyFault?.status === 413 ? 'too-large' : bodyFault || isClientError(error) ? 'malformed' : undefined;
  const message =
    bodyFault?.status === 415
      ? { status: 415, title: 'Sign-in failed', text: 'The sign-in did not arrive as a web form. Start again from your company’s sign-in page.' }
      : rejection
        ? MESSAGES[rejection]
        : problem.status === 429
          ? { status: 429, title: 'Too many sign-in attempts', text: 'Too many sign-ins came from your network at once. Wait a moment and try again.' }
          : { status: problem.status === 503 ? 503 : 500, title: 'Sign-in is unavailable', text: 'Something went wrong on our side. Try again in a minute.' };
  sendPage(
    response,
    message.status,
    message.title,
    // A way back to the form: a mistyped username is the commonest cause.
    `<h1>${escapeHtml(message.title)}</h1><p>${escapeHtml(message.text)}</p><p><a href="/sso/login">Back to sign-in</a></p><p class="reference">Reference: ${escapeHtml(currentCorrelationId())}</p>`,
  );
}

function isClientError(error: unknown): boolean {
  const status = (error as { getStatus?: () => number } | null)?.getStatus?.();
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** A button that posts the sign-out: for sign-out requests that may not come from the employee (a link on another page). */
export function sendSignOutConfirmation(response: Response): void {
  sendPage(response, 200, 'Sign out', `<h1>Sign out?</h1><form method="post" action="/sso/logout"><button type="submit">Sign out</button></form>`);
}
