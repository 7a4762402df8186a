import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { keepConnectionsLongerThanClients, PathRouter, probePlatformReadiness } from '@identity/platform-service';

/** One service behind the gateway: where it listens and the public path prefixes it answers. */
export interface GatewayUpstream {
  name: string;
  host: string;
  port: number;
  publicPrefixes: readonly string[];
}

/**
 * One origin for every service, routed by path prefix as the Kubernetes Ingress does: for
 * `npm run start:services` and the compose file. `/health/ready` is ready when every service is, and
 * `/{service}/...` reaches one service's own paths (its /metrics, say). The client's address goes
 * on in X-Forwarded-For, so the services (with HTTP_TRUSTED_PROXY_HOPS=1) see who asked.
 */
export function startGateway(upstreams: readonly GatewayUpstream[], port: number, host: string): Promise<Server> {
  const router = new PathRouter(upstreams.flatMap((upstream) => upstream.publicPrefixes.map((prefix) => ({ prefix, target: upstream }))));

  function proxy(target: GatewayUpstream, pathname: string, request: IncomingMessage, response: ServerResponse): void {
    const forwardedFor = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = httpRequest(
      { host: target.host, port: target.port, path: pathname, method: request.method, headers: { ...request.headers, 'x-forwarded-for': forwardedFor } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '2' });
      response.end(JSON.stringify({ type: 'about:blank', status: 503, title: 'Service Unavailable', detail: `${target.name} is not up yet` }));
    });
    request.pipe(upstream);
  }

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (url.pathname === '/health/live') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'live' }));
      return;
    }
    if (url.pathname === '/health/ready') {
      const readiness = await probePlatformReadiness(upstreams.map((upstream) => ({ name: upstream.name, url: `http://${upstream.host}:${upstream.port}/health/ready` })));
      response.writeHead(readiness.status === 'ready' ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify(readiness));
      return;
    }
    const own = upstreams.find((upstream) => url.pathname.startsWith(`/${upstream.name}/`));
    if (own) return proxy(own, (request.url ?? '/').slice(own.name.length + 1), request, response);
    const upstream = router.match(url.pathname);
    if (upstream) return proxy(upstream, request.url ?? '/', request, response);
    response.writeHead(404, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ type: 'about:blank', status: 404, title: 'Not Found', detail: `no service answers ${url.pathname}` }));
  });
  keepConnectionsLongerThanClients(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
