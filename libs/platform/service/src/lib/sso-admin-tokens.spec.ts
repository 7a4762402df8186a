import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signEs256Jwt } from './es256-jwt';
import { SsoAdminTokens } from './sso-admin-tokens';

/** saml-auth as the admin APIs see it: its JWKS, and an introspection that says every session is a live admin's. */
describe('SSO console-admin tokens at the admin APIs', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyId = 'k1';
  const origin = 'https://identity.example.test';
  let server: Server;
  let tokens: SsoAdminTokens;
  let introspected = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/sso/jwks.json') return response.end(JSON.stringify({ keys: [{ ...keys.publicKey.export({ format: 'jwk' }), kid: keyId }] }));
      introspected += 1;
      response.end(JSON.stringify({ active: true, consoleAdmin: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokens = new SsoAdminTokens(`http://127.0.0.1:${(server.address() as AddressInfo).port}/sso/jwks.json`, `${origin}/saml2`, origin, 'platform-token');
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const token = (claims: Record<string, unknown>) =>
    signEs256Jwt({ iss: `${origin}/saml2`, aud: origin, tid: 'tenant-1', sid: randomUUID(), adm: true, exp: Math.floor(Date.now() / 1000) + 60, jti: randomUUID(), ...claims }, keys.privateKey, keyId);

  it('takes a token of our issuer for our origin, and refuses one for another audience or issuer before asking whether its session lives', async () => {
    expect(await tokens.tenantOf(token({}))).toBe('tenant-1');
    expect(introspected).toBe(1);
    expect(await tokens.tenantOf(token({ aud: 'https://other.example.test' }))).toBeNull();
    expect(await tokens.tenantOf(token({ aud: ['https://other.example.test'] }))).toBeNull();
    expect(await tokens.tenantOf(token({ iss: 'https://other.example.test/saml2' }))).toBeNull();
    expect(introspected).toBe(1);
  });

  it('takes a token issued before tokens named their audience (an upgrade signs no one out)', async () => {
    expect(await tokens.tenantOf(token({ aud: undefined }))).toBe('tenant-1');
  });
});
