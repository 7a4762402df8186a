import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { KafkaMessageBus } from '@identity/platform-messaging';
import { eventually, kafkaBrokers, testNamespace } from '@identity/platform-testing';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/** The operators' CLI on real Kafka: a reaction's dead letter listed, then sent back to it once its cause is fixed. */
describe('npm run cli -- events', () => {
  const namespace = testNamespace('cli-events');
  const cli = async (env: Record<string, string>, ...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, [path.join(root, 'dist/tools/cli/main.js'), ...args, '--json'], { cwd: root, env: { PATH: process.env.PATH, ...env } });
      return { code: 0, json: JSON.parse(stdout) as unknown };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, json: JSON.parse(failed.stdout) as unknown, stderr: failed.stderr };
    }
  };
  const kafka = { KAFKA_BROKERS: kafkaBrokers().join(','), KAFKA_NAMESPACE: namespace };

  it('lists the groups with dead letters, and redrives one group’s after its fix', async () => {
    const bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'cli-events-test', namespace, retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 } });
    await bus.connect();
    const topic = 'test.cli-redrive.v1';
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    let fixed = false;
    const handled: string[] = [];
    const subscription = await bus.subscribe({
      groupId: 'reaction.free-seat',
      topics: [topic],
      handle: async (message) => {
        if (!fixed && message.value === 'UserDeleted') throw new Error('seat store unavailable');
        handled.push(message.value);
      },
    });
    try {
      await bus.publish([{ topic, key: 'user-1', value: 'UserDeleted', headers: {} }]);
      await eventually(async () => expect(await cli(kafka, 'events', 'dead-letters')).toEqual({ code: 0, json: [{ groupId: 'reaction.free-seat', waiting: 1, remedy: 'redrive' }] }), { timeoutMs: 30_000 });
      fixed = true;
      expect(await cli(kafka, 'events', 'redrive', '--group', 'reaction.free-seat')).toEqual({ code: 0, json: { groupId: 'reaction.free-seat', sent: 1 } });
      await eventually(() => expect(handled).toEqual(['UserDeleted']), { timeoutMs: 30_000 });
      expect(await cli(kafka, 'events', 'dead-letters')).toEqual({ code: 0, json: [{ groupId: 'reaction.free-seat', waiting: 0, remedy: 'redrive' }] });
    } finally {
      await subscription.stop();
      await bus.disconnect();
    }
  }, 120_000);

  it('says which settings are missing, and which flag', async () => {
    expect(await cli({}, 'events', 'dead-letters')).toMatchObject({ code: 1, json: { error: expect.stringContaining('KAFKA_BROKERS is required') } });
    expect(await cli(kafka, 'events', 'redrive')).toMatchObject({ code: 1, json: { error: expect.stringContaining('--group') } });
    expect(await cli(kafka, 'events', 'redrive', '--group', 'projection.directory.users')).toMatchObject({
      code: 1,
      json: { error: expect.stringContaining('rebuild it instead (npm run cli -- projections rebuild directory.users)') },
    });
  });
});
