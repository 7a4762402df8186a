import { InProcessMessageBus } from './in-process-message-bus';
import { deadLetterTopic, redrivenMessage, REDRIVE_GROUP_HEADER, type IncomingMessage } from './message-bus.port';

class DatabaseDown extends Error {}

describe('consumer retries', () => {
  const policy = { attempts: 3, initialDelayMs: 1, maxDelayMs: 2, isTransient: (error: unknown) => error instanceof DatabaseDown };

  async function consume(failures: Error[]) {
    const bus = new InProcessMessageBus(policy);
    const handled: string[] = [];
    const deadLetters: string[] = [];
    const remaining = [...failures];
    const done = new Promise<void>((resolve) => {
      void bus.subscribe({
        groupId: 'projection.users',
        topics: ['users'],
        handle: async (message: IncomingMessage) => {
          const failure = remaining.shift();
          if (failure) throw failure;
          handled.push(message.value);
          resolve();
        },
      });
      void bus.subscribe({
        groupId: 'watcher',
        topics: [deadLetterTopic('projection.users')],
        handle: async (message: IncomingMessage) => {
          deadLetters.push(message.value);
          resolve();
        },
      });
    });
    await bus.publish([{ topic: 'users', key: 'u1', value: 'UserDeactivated', headers: {} }]);
    await done;
    await bus.disconnect();
    return { handled, deadLetters };
  }

  it('waits out a database outage, however many tries it takes, and never dead-letters the event', async () => {
    expect(await consume(Array.from({ length: 12 }, () => new DatabaseDown('connection refused')))).toEqual({ handled: ['UserDeactivated'], deadLetters: [] });
  });

  it('dead-letters a message that fails on its own after the attempts of the policy', async () => {
    expect(await consume([new Error('bad'), new Error('bad'), new Error('bad')])).toEqual({ handled: [], deadLetters: ['UserDeactivated'] });
  });
});

describe('in-flight messages', () => {
  it('is idle only once every group has handled every message of its topics', async () => {
    const bus = new InProcessMessageBus();
    let release!: () => void;
    const handled: string[] = [];
    const subscription = await bus.subscribe({
      groupId: 'slow',
      topics: ['t'],
      handle: async (message) => {
        await new Promise<void>((resolve) => (release = resolve));
        handled.push(message.value);
      },
    });
    expect(bus.idle()).toBe(true);
    await bus.publish([{ topic: 't', key: 'k', value: 'one', headers: {} }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(bus.idle()).toBe(false);
    release();
    for (let tries = 0; tries < 100 && !bus.idle(); tries++) await new Promise((resolve) => setImmediate(resolve));
    expect({ idle: bus.idle(), handled }).toEqual({ idle: true, handled: ['one'] });
    await subscription.stop();
  });
});

describe('dead letters sent back', () => {
  it('go back to their topic without the dead-letter headers, for the group that gave up on them alone', async () => {
    const deadLetter = {
      partition: 0,
      offset: '7',
      key: 'user-1',
      value: 'UserDeleted',
      headers: { 'correlation-id': 'c1', 'dlt-original-topic': 'users', 'dlt-original-partition': '3', 'dlt-original-offset': '41', 'dlt-error': 'boom' },
    };
    const message = redrivenMessage(deadLetter, 'reaction.free-seat');
    expect(message).toEqual({ topic: 'users', key: 'user-1', value: 'UserDeleted', headers: { 'correlation-id': 'c1', [REDRIVE_GROUP_HEADER]: 'reaction.free-seat' } });
    expect(() => redrivenMessage({ ...deadLetter, headers: {} }, 'reaction.free-seat')).toThrow('names no original topic');

    const bus = new InProcessMessageBus();
    const seen: string[] = [];
    for (const groupId of ['reaction.free-seat', 'projection.users']) {
      await bus.subscribe({ groupId, topics: ['users'], handle: async (incoming) => void seen.push(`${groupId}: ${incoming.value}`) });
    }
    await bus.publish([message, { topic: 'users', key: 'user-1', value: 'next', headers: {} }]);
    while (!bus.idle()) await new Promise((resolve) => setImmediate(resolve));
    await bus.disconnect();
    expect(seen.sort()).toEqual(['projection.users: next', 'reaction.free-seat: UserDeleted', 'reaction.free-seat: next']);
  });
});
