import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { keepConnectionsLongerThanClients, PathRouter } from '@identity/platform-service';
import { SERVICES } from '@identity/service-catalog';

/**
 * `npm run start:services`: one process per service against DATABASE_URL and KAFKA_BROKERS, as in
 * production, plus a small gateway on PORT (3000) that routes by path prefix like the Ingress does.
 */
const root = path.resolve(__dirname, '../../..');
const gatewayPort = Number(process.env.PORT ?? 3000);
const firstPort = Number(process.env.SERVICES_FIRST_PORT ?? gatewayPort + 1);

for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'PLATFORM_ADMIN_TOKEN']) {
  if (!process.env[name]) {
    process.stderr.write(`start:services needs ${name} (see the configuration table in README.md)\n`);
    process.exit(1);
  }
}

const running = SERVICES.map((definition, index) => {
  const port = firstPort + index;
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', path.join(root, `dist/apps/${definition.name}/src/main.js`)], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'inherit',
  });
  child.on('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`${definition.name} exited with ${code}; stopping the others\n`);
      void stop(1);
    }
  });
  return { definition, port, child };
});

const router = new PathRouter(running.flatMap((service) => service.definition.publicPrefixes.map((prefix) => ({ prefix, target: service }))));

function proxy(target: number, pathname: string, request: IncomingMessage, response: ServerResponse): void {
  const upstream = httpRequest({ host: '127.0.0.1', port: target, path: pathname, method: request.method, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', () => {
    if (!response.headersSent) response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '2' });
    response.end(JSON.stringify({ type: 'about:blank', status: 503, title: 'Service Unavailable', detail: 'the service is not up yet' }));
  });
  request.pipe(upstream);
}

const gateway = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://gateway');
  if (url.pathname === '/health/ready') {
    const states = await Promise.all(
      running.map(async (service) => {
        const answer = await fetch(`http://127.0.0.1:${service.port}/health/ready`).catch(() => undefined);
        return [service.definition.name, answer?.status === 200 ? 'ready' : 'not-ready'] as const;
      }),
    );
    const ready = states.every(([, state]) => state === 'ready');
    response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: ready ? 'ready' : 'not-ready', services: Object.fromEntries(states) }));
    return;
  }
  const own = running.find((service) => url.pathname.startsWith(`/${service.definition.name}/`));
  if (own) return proxy(own.port, (request.url ?? '/').slice(own.definition.name.length + 1), request, response);
  const service = router.match(url.pathname);
  if (service) return proxy(service.port, request.url ?? '/', request, response);
  response.writeHead(404, { 'content-type': 'application/problem+json' });
  response.end(JSON.stringify({ type: 'about:blank', status: 404, title: 'Not Found', detail: `no service answers ${url.pathname}` }));
});
keepConnectionsLongerThanClients(gateway);
gateway.listen(gatewayPort, process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(
    `gateway on http://localhost:${gatewayPort}; services: ${running.map((service) => `${service.definition.name}:${service.port}`).join(', ')}\n`,
  );
});

let stopping = false;
async function stop(code: number): Promise<void> {
  stopping = true;
  gateway.close();
  await Promise.all(
    running.map(
      (service) =>
        new Promise<void>((resolve) => {
          if (service.child.exitCode !== null) return resolve();
          service.child.once('exit', () => resolve());
          service.child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
