import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway } from './gateway';

/** A service stand-in that says who it is and what reached it. */
async function fakeService(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ name, url: request.url, forwardedFor: request.headers['x-forwarded-for'] ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('gateway', () => {
  const servers: Server[] = [];
  let base: string;

  beforeAll(async () => {
    const scim = await fakeService('scim-ingest');
    const directory = await fakeService('user-directory');
    // A port nothing listens on: a service that is not up.
    const closed = await fakeService('gone');
    await new Promise((resolve) => closed.server.close(resolve));
    servers.push(scim.server, directory.server);
    const gateway = await startGateway(
      [
        { name: 'scim-ingest', host: '127.0.0.1', port: scim.port, publicPrefixes: ['/scim/v2', '/api/v1/tenants/*/provisioning'] },
        { name: 'user-directory', host: '127.0.0.1', port: directory.port, publicPrefixes: ['/api/v1', '/api/docs'] },
        { name: 'saml-auth', host: '127.0.0.1', port: closed.port, publicPrefixes: ['/saml2'] },
      ],
      0,
      '127.0.0.1',
    );
    servers.push(gateway);
    base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
  };

  it('routes by path prefix as the Ingress does, the most specific prefix first, and names the client in X-Forwarded-For', async () => {
    expect((await get('/scim/v2/t1/Users?count=1')).body).toEqual({ name: 'scim-ingest', url: '/scim/v2/t1/Users?count=1', forwardedFor: '127.0.0.1' });
    expect((await get('/api/v1/tenants/t1/provisioning/logs')).body).toMatchObject({ name: 'scim-ingest' });
    expect((await get('/api/v1/tenants/t1/users', { 'x-forwarded-for': '198.51.100.7' })).body).toEqual({
      name: 'user-directory',
      url: '/api/v1/tenants/t1/users',
      forwardedFor: '198.51.100.7, 127.0.0.1',
    });
    expect((await get('/user-directory/metrics')).body).toMatchObject({ name: 'user-directory', url: '/metrics' });
  });

  it('answers a path no service serves with 404, a service that is down with 503 and Retry-After, and is ready only when every service is', async () => {
    expect(await get('/nowhere')).toMatchObject({ status: 404, body: { status: 404, detail: 'no service answers /nowhere' } });
    expect(await get('/saml2')).toMatchObject({ status: 503, retryAfter: '2', body: { status: 503 } });
    expect(await get('/health/live')).toMatchObject({ status: 200, body: { status: 'live' } });
    expect(await get('/health/ready')).toMatchObject({ status: 503, body: { status: 'not-ready', services: { 'scim-ingest': 'ready', 'user-directory': 'ready', 'saml-auth': 'not-ready' } } });
  });
});
