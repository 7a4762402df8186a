import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMON_CONFIG, ConfigurationError, ServiceConfig } from './config';
import { kafkaSecurity } from './kafka-security';

const security = (env: Record<string, string>) =>
  kafkaSecurity(ServiceConfig.load(COMMON_CONFIG, { DATABASE_URL: 'postgres://u@127.0.0.1/db', KAFKA_BROKERS: 'kafka:9093', ...env }));

const problems = (env: Record<string, string>): readonly string[] => {
  try {
    security(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
};

describe('Kafka TLS and SASL settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  it('is plaintext without either', () => {
    expect(security({})).toEqual({ ssl: undefined, sasl: undefined });
  });

  it('gives Azure Event Hubs’ shape: TLS against the system CAs and SASL PLAIN', () => {
    expect(security({ KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: '$ConnectionString', KAFKA_SASL_PASSWORD: 'Endpoint=sb://x/' })).toEqual({
      ssl: true,
      sasl: { mechanism: 'plain', username: '$ConnectionString', password: 'Endpoint=sb://x/' },
    });
  });

  it('trusts only the CA file when one is given, which implies TLS', () => {
    expect(security({ KAFKA_TLS_CA_FILE: ca, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toMatchObject({
      ssl: { ca: [expect.stringContaining('BEGIN CERTIFICATE')] },
      sasl: { mechanism: 'scram-sha-512' },
    });
  });

  it('refuses what would fail later or leak: PLAIN in the clear, missing credentials, half a client certificate, an unreadable file', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual([expect.stringContaining('in the clear')]);
    expect(problems({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' })).toEqual([expect.stringContaining('needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD')]);
    expect(problems({ KAFKA_SASL_PASSWORD: 'p' })).toEqual([expect.stringContaining('need KAFKA_SASL_MECHANISM')]);
    expect(problems({ KAFKA_TLS_CERT_FILE: ca })).toEqual([expect.stringContaining('go together')]);
    expect(problems({ KAFKA_TLS_CA_FILE: join(dir, 'missing.pem') })).toEqual([expect.stringContaining('KAFKA_TLS_CA_FILE cannot be read: ENOENT')]);
  });

  it('never prints the password in its complaints', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'hunter2-secret' }).join('\n')).not.toContain('hunter2-secret');
  });
});
