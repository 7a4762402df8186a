/** The Kafka topics: `<domain>.<entity>.v<major>`, keyed by aggregate id. */
export interface TopicDefinition {
  name: string;
  description: string;
  partitions: number;
  /** Kafka topic configuration (retention, cleanup policy), also rendered into the KafkaTopic manifests. */
  config: Record<string, string>;
}

const keepForever = { 'cleanup.policy': 'delete', 'retention.ms': '-1' };

export const TOPICS = {
  identityUser: {
    name: 'identity.user.v1',
    description: 'Lifecycle and attributes of every user, keyed by user id.',
    partitions: 12,
    config: keepForever,
  },
  directoryTenant: {
    name: 'directory.tenant.v1',
    description: 'Companies (tenants) and their admin API tokens, keyed by tenant id.',
    partitions: 3,
    config: keepForever,
  },
  directorySite: {
    name: 'directory.site.v1',
    description: 'Sites of each company, keyed by site id.',
    partitions: 3,
    config: keepForever,
  },
  licensingLicense: {
    name: 'licensing.license.v1',
    description: 'License seats assigned to and taken from users, keyed by user id.',
    partitions: 6,
    config: keepForever,
  },
  licensingTelephony: {
    name: 'licensing.telephony.v1',
    description: 'Extensions and direct phone numbers of licensed users, keyed by user id (telephony, contact center and switchboard consume it).',
    partitions: 6,
    config: keepForever,
  },
  ssoConfiguration: {
    name: 'sso.configuration.v1',
    description: 'Single sign-on configuration of each company, keyed by tenant id.',
    partitions: 3,
    config: { 'cleanup.policy': 'compact' },
  },
} as const satisfies Record<string, TopicDefinition>;

export const ALL_TOPICS: readonly TopicDefinition[] = Object.values(TOPICS);
