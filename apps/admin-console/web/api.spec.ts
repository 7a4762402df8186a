import { api, ApiError, TenantApi, type Session } from './api';

describe('the console’s API client', () => {
  const realFetch = globalThis.fetch;
  let calls: { url: string; init: RequestInit }[];

  beforeEach(() => {
    calls = [];
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ type: 'about:blank', status: 422, title: 'Unprocessable Entity', detail: 'This is the binary "Certificate (Raw)" download (DER).', reason: 'der' }), {
        status: 422,
        headers: { 'content-type': 'application/problem+json' },
      });
    }) as typeof fetch;
  });

  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('refuses to send a state-changing request without the admin token', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      await expect(api('', method, '/api/v1/tenants/t/sso', { json: {} })).rejects.toThrow('this change needs your admin token');
    }
    expect(calls).toEqual([]);
  });

  it('sends the token as a bearer header and never lets the browser attach cookies', async () => {
    await api('ipa_token', 'POST', '/api/v1/tenants/t/sso/certificates', { body: 'bytes', contentType: 'application/octet-stream' }).catch(() => undefined);
    expect(calls).toHaveLength(1);
    expect(calls[0].init).toMatchObject({ method: 'POST', credentials: 'omit', headers: { authorization: 'Bearer ipa_token', 'content-type': 'application/octet-stream' } });
  });

  it('turns a problem document into an error that carries its detail and reason', async () => {
    const error = await api('ipa_token', 'POST', '/x', { json: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, detail: 'This is the binary "Certificate (Raw)" download (DER).', reason: 'der' });
  });

  it('reads every page of a list, however long (a chain with 1,203 sites)', async () => {
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const offset = Number(new URL(url, 'http://console').searchParams.get('offset'));
      const items = Array.from({ length: Math.max(0, Math.min(500, 1203 - offset)) }, (_, index) => ({ siteId: `s${offset + index}` }));
      return new Response(JSON.stringify({ items, total: 1203 }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const sites = await new TenantApi({ token: 'ipa_token', tenantId: 't' } as Session).all<{ siteId: string }>('/sites');
    expect(sites.map((site) => site.siteId)).toEqual(Array.from({ length: 1203 }, (_, index) => `s${index}`));
    expect(calls.map((call) => call.url)).toEqual([0, 500, 1000].map((offset) => `/api/v1/tenants/t/sites?limit=500&offset=${offset}`));
  });
});
