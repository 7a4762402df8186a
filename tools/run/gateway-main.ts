import { SERVICES } from '@identity/service-catalog';
import { startGateway } from './gateway';

/**
 * The gateway on its own, in front of services that run elsewhere (the compose file):
 * GATEWAY_UPSTREAMS names each service's host:port, `user-directory=user-directory:3000,...`.
 */
const given = new Map(
  (process.env.GATEWAY_UPSTREAMS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => entry.trim().split('=') as [string, string]),
);
const upstreams = SERVICES.flatMap((definition) => {
  const address = given.get(definition.name);
  if (!address) return [];
  const [host, port] = address.split(':');
  return [{ name: definition.name, host, port: Number(port), publicPrefixes: definition.publicPrefixes }];
});
const missing = SERVICES.filter((definition) => definition.publicPrefixes.length > 0 && !given.has(definition.name)).map((definition) => definition.name);
if (missing.length > 0) {
  process.stderr.write(`gateway: GATEWAY_UPSTREAMS names no address for ${missing.join(', ')} (name=host:port, comma-separated)\n`);
  process.exit(1);
}
const port = Number(process.env.PORT ?? 3000);
startGateway(upstreams, port, process.env.HOST ?? '0.0.0.0').then(
  () => process.stdout.write(`gateway on port ${port}: ${upstreams.map((upstream) => `${upstream.name} at ${upstream.host}:${upstream.port}`).join(', ')}\n`),
  (error: unknown) => {
    process.stderr.write(`gateway: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
