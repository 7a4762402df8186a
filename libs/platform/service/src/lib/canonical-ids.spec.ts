import { canonicalIds } from './canonical-ids';

const id = '0f1e2d3c-4b5a-4968-8776-a1b2c3d4e5f6';
const other = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('canonicalIds', () => {
  it('writes every UUID segment of a path in lower case, under any prefix, and leaves the query alone', () => {
    expect(canonicalIds(`/api/v1/tenants/${id.toUpperCase()}/licenses/users/${other.toUpperCase()}?plan=X4&user=${id.toUpperCase()}`)).toBe(
      `/api/v1/tenants/${id}/licenses/users/${other}?plan=X4&user=${id.toUpperCase()}`,
    );
    expect(canonicalIds(`/SCIM/V2/${id.toUpperCase()}/Users/${other.toUpperCase()}`)).toBe(`/SCIM/V2/${id}/Users/${other}`);
  });

  it('decodes a percent-encoded UUID, which routes would decode into the same id', () => {
    const encoded = id.replace('f', '%66').replace('e', '%45').replace('-', '%2D');
    expect(canonicalIds(`/scim/v2/${encoded}/Groups`)).toBe(`/scim/v2/${id}/Groups`);
  });

  it('leaves every other segment as sent, including ones that only look close to a UUID or do not decode', () => {
    for (const url of [`/api/v1/tenants/${id}/sites/London%20Bridge`, `/scim/v2/${id}/Users/${id.toUpperCase()}X`, '/sso/login/%E0%A4%A', '/Health/Ready', `/${id}`]) {
      expect(canonicalIds(url)).toBe(url);
    }
  });
});
