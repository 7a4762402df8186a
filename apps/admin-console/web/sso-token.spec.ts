import { sessionOfToken } from './sso-token';

/** A token as saml-auth signs it; the console only reads its claims (the APIs verify it). */
const tokenWith = (claims: Record<string, unknown>) => `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.signature`;
const TENANT = '7f0c6a53-3c5e-4d8e-9f43-2f6a5c8e0b11';

describe('the console’s reading of an SSO access token', () => {
  it('makes an admin session of a token with the admin claim, ending when the token does', () => {
    const accessToken = tokenWith({ tid: TENANT, name: 'adele@contoso.com', adm: true });
    expect(sessionOfToken({ accessToken, expiresIn: 300 }, 1_000)).toEqual({
      token: accessToken,
      kind: 'tenant',
      tenantId: TENANT,
      sso: { userName: 'adele@contoso.com', expiresAt: 301_000, issuedAt: 1_000 },
    });
  });

  it('sends an admin whose sign-in is too old straight to the company’s IdP and back to the console', () => {
    expect(sessionOfToken({ accessToken: tokenWith({ tid: TENANT, name: 'adele@contoso.com' }), expiresIn: 300, adminSignInExpired: true }, 0)).toEqual({
      signInAgain: `/sso/login/${TENANT}?relayState=%2Fconsole`,
    });
  });

  it('lets nobody in without the admin role', () => {
    expect(sessionOfToken({ accessToken: tokenWith({ tid: TENANT, name: 'megan@contoso.com' }), expiresIn: 300 }, 0)).toBe('not-admin');
  });
});
