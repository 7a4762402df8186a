import { freePort, startService, type RunningService } from '@identity/platform-service';
import { createTestDatabase, eventually, serviceEnv, testNamespace } from '@identity/platform-testing';
import { adminConsoleService } from '@identity/service-admin-console';
import { eventRelayService } from '@identity/service-event-relay';
import { licensingService } from '@identity/service-licensing';

jest.setTimeout(60_000);

describe('the platform’s readiness, answered by the admin console for the public origin', () => {
  const running: RunningService[] = [];
  let env: NodeJS.ProcessEnv;
  let consoleBase: string;
  let licensingPort: number;

  beforeAll(async () => {
    env = serviceEnv(await createTestDatabase(), testNamespace('platform-health'));
    const relay = await startService(eventRelayService, { env });
    running.push(relay);
    const consolePort = await freePort();
    licensingPort = await freePort();
    const targets = [
      `event-relay=http://127.0.0.1:${relay.port}/health/ready`,
      `admin-console=http://127.0.0.1:${consolePort}/health/ready`,
      `licensing=http://127.0.0.1:${licensingPort}/health/ready`,
    ];
    running.push(await startService(adminConsoleService, { env: { ...env, PORT: String(consolePort), PLATFORM_READINESS_URLS: targets.join(',') } }));
    consoleBase = `http://127.0.0.1:${consolePort}`;
  });

  afterAll(async () => {
    for (const service of running.reverse()) await service.stop();
  });

  const platform = async (base = consoleBase) => {
    const response = await fetch(`${base}/health/platform`);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
  };

  it('is not ready while one service does not answer, and names it', async () => {
    expect(await platform()).toEqual({
      status: 503,
      type: expect.stringContaining('application/json'),
      body: { status: 'not-ready', services: { 'event-relay': 'ready', 'admin-console': 'ready', licensing: 'not-ready' } },
    });
  });

  it('is ready once every service is (after the one-second reuse of the last answer)', async () => {
    running.push(await startService(licensingService, { env: { ...env, PORT: String(licensingPort) } }));
    await eventually(async () =>
      expect(await platform()).toMatchObject({ status: 200, body: { status: 'ready', services: { 'event-relay': 'ready', 'admin-console': 'ready', licensing: 'ready' } } }),
    );
  });

  it('answers 404 in the problem format where it was not told the services, and refuses to start on a list it could never probe', async () => {
    const bare = await startService(adminConsoleService, { env });
    running.push(bare);
    expect(await platform(`http://127.0.0.1:${bare.port}`)).toMatchObject({
      status: 404,
      type: expect.stringContaining('application/problem+json'),
      body: { status: 404, detail: 'the platform’s readiness is not answered here' },
    });
    await expect(startService(adminConsoleService, { env: { ...env, PLATFORM_READINESS_URLS: 'licensing,relay=ftp://relay/health' } })).rejects.toThrow(
      /PLATFORM_READINESS_URLS: "licensing" is not name=http\(s\):\/\/host\/health\/ready[\s\S]*"relay=ftp:\/\/relay\/health"/,
    );
  });
});
