import { connect } from 'node:net';
import { freePort } from '@identity/platform-service';
import { createTestDatabase, serviceEnv, startServiceProcess, testNamespace, waitForHttp } from '@identity/platform-testing';

describe('a service stopped (SIGTERM) while a client holds a request open', () => {
  it('cuts that request after the drain time and still stops its consumers and relay, exiting 0', async () => {
    const port = await freePort();
    const env = serviceEnv(await createTestDatabase(), testNamespace('shutdown'), { PORT: String(port), SHUTDOWN_DRAIN_MS: '1000', LOG_LEVEL: 'info' });
    const service = startServiceProcess('dist/apps/event-relay/src/main.js', env);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 200, 60_000, service);
    // A request whose body never finishes arriving (a slow or stalled client): it holds its connection busy.
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"slow":');
    socket.on('error', () => undefined);
    const started = Date.now();
    const code = await service.stop();
    socket.destroy();
    expect({ code, output: service.output() }).toEqual({ code: 0, output: expect.stringContaining('stopped: requests, consumers and relay drained') });
    // The drain time (1 s) and the consumers' and relay's stop, not the process's deadline (drain + 5 s).
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 90_000);
});
