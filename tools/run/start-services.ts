import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SERVICES } from '@identity/service-catalog';
import { startGateway } from './gateway';

/**
 * `npm run start:services`: one process per service against DATABASE_URL and KAFKA_BROKERS, as in
 * production, plus the gateway on PORT (3000) that routes by path prefix like the Ingress does.
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
    // Behind the gateway, which names the client in X-Forwarded-For.
    // On loopback only: a client that reached a service directly could name any address.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', HTTP_TRUSTED_PROXY_HOPS: '1' },
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

const gateway = startGateway(
  running.map((service) => ({ name: service.definition.name, host: '127.0.0.1', port: service.port, publicPrefixes: service.definition.publicPrefixes })),
  gatewayPort,
  process.env.HOST ?? '127.0.0.1',
);
void gateway.then(() => {
  process.stdout.write(
    `gateway on http://localhost:${gatewayPort}; services: ${running.map((service) => `${service.definition.name}:${service.port}`).join(', ')}\n`,
  );
});

let stopping = false;
async function stop(code: number): Promise<void> {
  stopping = true;
  (await gateway).close();
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
