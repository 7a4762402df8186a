import { KafkaMessageBus } from '@identity/platform-messaging';
import { COMMON_CONFIG, ConfigurationError, kafkaSecurity, ServiceConfig } from '@identity/platform-service';
import { CliError, output, requiredFlag, type Invocation } from './cli-runtime';

/** Kafka as the services reach it: the same variables (a pod's environment has them: `kubectl exec`). */
function kafka(): KafkaMessageBus {
  try {
    const config = ServiceConfig.load(COMMON_CONFIG.filter((variable) => variable.name.startsWith('KAFKA_')));
    return new KafkaMessageBus({
      brokers: config.list('KAFKA_BROKERS'),
      clientId: `${config.string('KAFKA_CLIENT_ID')}.cli`,
      namespace: config.optionalString('KAFKA_NAMESPACE'),
      ...kafkaSecurity(config),
    });
  } catch (error) {
    if (error instanceof ConfigurationError) throw new CliError(`Kafka settings: ${error.problems.join('; ')} (the embedded stack has no Kafka and no dead-letter topics)`);
    throw error;
  }
}

async function withKafka<T>(work: (bus: KafkaMessageBus) => Promise<T>): Promise<T> {
  const bus = kafka();
  try {
    return await work(bus);
  } finally {
    await bus.disconnect();
  }
}

/** Read models consume as `projection.<name>` (see ProjectionRunner); every other group is a reaction. */
const PROJECTION_GROUP = 'projection.';

/** What brings a group's dead letters back: a redrive, or for a read model (which skips what it went past) a rebuild. */
function remedyOf(groupId: string): 'redrive' | 'rebuild' {
  return groupId.startsWith(PROJECTION_GROUP) ? 'rebuild' : 'redrive';
}

export const eventCommands = {
  async 'dead-letters'(invocation: Invocation): Promise<void> {
    const groups = (await withKafka((bus) => bus.deadLetters())).map((group) => ({ ...group, remedy: remedyOf(group.groupId) }));
    output(invocation, groups, () =>
      groups.length === 0 ? 'no dead-letter topics' : groups.map((group) => `${group.groupId}  ${group.waiting} waiting  (${group.remedy === 'rebuild' ? 'rebuild its read model' : 'events redrive'})`).join('\n'),
    );
  },

  async redrive(invocation: Invocation): Promise<void> {
    const groupId = requiredFlag(invocation, 'group');
    if (remedyOf(groupId) === 'rebuild') {
      throw new CliError(`${groupId} keeps a read model, which passes by events older than those it applied: rebuild it instead (npm run cli -- projections rebuild ${groupId.slice(PROJECTION_GROUP.length)})`);
    }
    const result = await withKafka((bus) => bus.redriveDeadLetters(groupId, (sent, waiting) => void process.stderr.write(`\r  ${sent} of ${waiting} sent back`)));
    if (result.sent > 0) process.stderr.write('\n');
    output(invocation, { groupId, ...result }, () => `${groupId}: ${result.sent} dead letters sent back to their topics`);
  },
};
