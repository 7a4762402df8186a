import { PathRouter } from './path-router';

describe('PathRouter', () => {
  const router = new PathRouter([
    { prefix: '/api/v1', target: 'user-directory' },
    { prefix: '/api/v1/tenants/*/licenses', target: 'licensing' },
    { prefix: '/scim/v2', target: 'scim-ingest' },
    { prefix: '/saml2', target: 'saml-auth' },
  ]);

  it('prefers the most specific prefix', () => {
    expect(router.match('/api/v1/tenants/abc/licenses')).toBe('licensing');
    expect(router.match('/api/v1/tenants/abc/licenses/usage')).toBe('licensing');
    expect(router.match('/api/v1/tenants/abc/users')).toBe('user-directory');
  });

  it('matches whole segments only', () => {
    expect(router.match('/saml2')).toBe('saml-auth');
    expect(router.match('/saml2x')).toBeUndefined();
    expect(router.match('/scim/v2/t/Users')).toBe('scim-ingest');
    expect(router.match('/elsewhere')).toBeUndefined();
  });
});
