/** One environment variable a service reads: documented, validated at start-up, typed. */
export interface ConfigVariable {
  name: string;
  description: string;
  kind: 'string' | 'url' | 'int' | 'bool' | 'list' | 'enum';
  required?: boolean;
  default?: string;
  /** Never logged, never printed back. */
  secret?: boolean;
  values?: readonly string[];
  min?: number;
  max?: number;
}

export type ConfigValue = string | number | boolean | string[];

export class ConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Validated configuration: every variable of the schema, parsed, or start-up stops naming the bad ones. */
export class ServiceConfig {
  private constructor(private readonly values: ReadonlyMap<string, ConfigValue | undefined>) {}

  static load(schema: readonly ConfigVariable[], env: NodeJS.ProcessEnv = process.env): ServiceConfig {
    const problems: string[] = [];
    const values = new Map<string, ConfigValue | undefined>();
    for (const variable of schema) {
      const raw = env[variable.name]?.trim() || variable.default;
      if (raw === undefined || raw === '') {
        if (variable.required) problems.push(`${variable.name} is required: ${variable.description}`);
        values.set(variable.name, undefined);
        continue;
      }
      const parsed = parse(variable, raw);
      if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) problems.push(`${variable.name} ${parsed.problem}`);
      else values.set(variable.name, parsed);
    }
    if (problems.length > 0) throw new ConfigurationError(problems);
    return new ServiceConfig(values);
  }

  string(name: string): string {
    return this.require(name) as string;
  }

  optionalString(name: string): string | undefined {
    return this.values.get(name) as string | undefined;
  }

  int(name: string): number {
    return this.require(name) as number;
  }

  optionalInt(name: string): number | undefined {
    return this.values.get(name) as number | undefined;
  }

  bool(name: string): boolean {
    return this.require(name) as boolean;
  }

  list(name: string): string[] {
    return (this.values.get(name) as string[] | undefined) ?? [];
  }

  private require(name: string): ConfigValue {
    if (!this.values.has(name)) throw new Error(`configuration variable ${name} is not in the service's schema`);
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`configuration variable ${name} has no value`);
    return value;
  }
}

function parse(variable: ConfigVariable, raw: string): ConfigValue | { problem: string } {
  switch (variable.kind) {
    case 'string':
      if (variable.min !== undefined && raw.length < variable.min) return { problem: `must have at least ${variable.min} characters` };
      return raw;
    case 'url':
      try {
        new URL(raw);
        return raw;
      } catch {
        return { problem: `must be a URL (got something that is not one)` };
      }
    case 'int': {
      const value = Number(raw);
      if (!Number.isInteger(value)) return { problem: `must be a whole number` };
      if (variable.min !== undefined && value < variable.min) return { problem: `must be at least ${variable.min}` };
      if (variable.max !== undefined && value > variable.max) return { problem: `must be at most ${variable.max}` };
      return value;
    }
    case 'bool':
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      return { problem: `must be true or false` };
    case 'list':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    case 'enum':
      if (variable.values?.includes(raw)) return raw;
      return { problem: `must be one of ${variable.values?.join(', ')}` };
  }
}

/** The variables every service reads. */
export const COMMON_CONFIG: readonly ConfigVariable[] = [
  { name: 'PORT', kind: 'int', default: '3000', min: 0, max: 65535, description: 'HTTP port the service listens on.' },
  { name: 'DATABASE_URL', kind: 'url', required: true, secret: true, description: 'PostgreSQL connection URL (event store and read models).' },
  { name: 'DATABASE_POOL_SIZE', kind: 'int', default: '10', min: 1, max: 200, description: 'Connections in the PostgreSQL pool.' },
  {
    name: 'DATABASE_STATEMENT_TIMEOUT_MS',
    kind: 'int',
    default: '30000',
    min: 0,
    max: 3600000,
    description:
      'PostgreSQL cancels a statement of the service that runs longer, and the request gets 503 with Retry-After (an event is retried); 0 for none. Migrations run without it, waiting at most 10 s for a table lock.',
  },
  {
    name: 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
    kind: 'int',
    default: '60000',
    min: 0,
    max: 3600000,
    description: 'PostgreSQL ends a connection whose transaction sits idle this long (a stuck process), releasing the rows it locked; 0 for none.',
  },
  {
    name: 'DATABASE_PREPARED_STATEMENTS',
    kind: 'bool',
    default: 'true',
    description: 'Prepare each parameterised statement once per connection instead of parsing and planning it on every call; false behind a pooler that cannot keep them and for the embedded database. A pooler must use session pooling: the relay and the migrations hold session advisory locks.',
  },
  { name: 'KAFKA_BROKERS', kind: 'list', required: true, description: 'Comma-separated Kafka bootstrap servers (host:port).' },
  { name: 'KAFKA_CLIENT_ID', kind: 'string', default: 'identity-platform', description: 'Client id prefix the service gives Kafka.' },
  { name: 'KAFKA_NAMESPACE', kind: 'string', default: '', description: 'Prefix of every topic and consumer group, to share one cluster between environments.' },
  {
    name: 'KAFKA_TOPIC_PARTITIONS',
    kind: 'int',
    min: 1,
    max: 1000,
    description: 'Partitions of the topics a service creates when missing, instead of each contract’s count (small test brokers). Topics managed by the platform (KafkaTopic resources) are unaffected.',
  },
  // A cluster that is not on a private network: TLS and SASL. Azure Event Hubs, say: KAFKA_TLS=true,
  // KAFKA_SASL_MECHANISM=plain, KAFKA_SASL_USERNAME=$ConnectionString, the connection string as the password.
  { name: 'KAFKA_TLS', kind: 'bool', default: 'false', description: 'Connect to the brokers over TLS, their certificates checked against the system CAs or KAFKA_TLS_CA_FILE.' },
  { name: 'KAFKA_TLS_CA_FILE', kind: 'string', description: 'PEM file of the CAs that sign the brokers’ certificates (a private cluster CA), instead of the system CAs; implies KAFKA_TLS.' },
  { name: 'KAFKA_TLS_CERT_FILE', kind: 'string', description: 'PEM client certificate, for brokers that authenticate clients by TLS (with KAFKA_TLS_KEY_FILE).' },
  { name: 'KAFKA_TLS_KEY_FILE', kind: 'string', description: 'PEM private key of KAFKA_TLS_CERT_FILE.' },
  {
    name: 'KAFKA_SASL_MECHANISM',
    kind: 'enum',
    default: 'none',
    values: ['none', 'plain', 'scram-sha-256', 'scram-sha-512'],
    description: 'SASL authentication to the brokers; plain only together with TLS.',
  },
  { name: 'KAFKA_SASL_USERNAME', kind: 'string', description: 'SASL user name.' },
  { name: 'KAFKA_SASL_PASSWORD', kind: 'string', secret: true, description: 'SASL password (for Azure Event Hubs: the connection string).' },
  { name: 'PUBLIC_BASE_URL', kind: 'url', default: 'http://localhost:3000', description: 'The one public origin every service is reached at.' },
  {
    name: 'SSO_JWKS_URL',
    kind: 'url',
    description:
      'Where the admin APIs fetch the keys of SSO console-admin access tokens (default: {PUBLIC_BASE_URL}/sso/jwks.json; in a cluster, saml-auth’s internal URL). They ask /sso/introspect on the same host whether the token’s session still lives.',
  },
  { name: 'LOG_LEVEL', kind: 'enum', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: 'Minimum level of the JSON logs.' },
  { name: 'MIGRATIONS_RUN', kind: 'bool', default: 'true', description: 'Run pending database migrations at start-up (under a lock); false when a migration Job does it.' },
  { name: 'SHUTDOWN_DRAIN_MS', kind: 'int', default: '10000', min: 0, max: 120000, description: 'How long shutdown waits for in-flight requests and consumers.' },
  {
    name: 'OUTBOX_RETENTION_HOURS',
    kind: 'int',
    default: '168',
    min: 0,
    max: 87600,
    description: 'How long after they were written the relay deletes the outbox rows it has published (the events stay in the store); 0 keeps them for ever.',
  },
  {
    name: 'HTTP_TRUSTED_PROXY_HOPS',
    kind: 'int',
    default: '0',
    min: 0,
    max: 10,
    description:
      'Reverse proxies in front of the service (1 behind an Ingress): the client address, which per-address rate limits use, is read that many hops back in X-Forwarded-For. 0 takes the connection’s own address, so that a client cannot name another one.',
  },
  { name: 'HTTP_BODY_LIMIT', kind: 'string', default: '4mb', description: 'Largest request body accepted (larger ones get 413); a 50,000-row license CSV is about 2 MB.' },
];

export const PLATFORM_ADMIN_TOKEN: ConfigVariable = {
  name: 'PLATFORM_ADMIN_TOKEN',
  kind: 'string',
  required: true,
  secret: true,
  min: 32,
  description: 'Token of the platform operators (creates companies); at least 32 characters.',
};
