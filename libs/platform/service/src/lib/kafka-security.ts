import { readFileSync } from 'node:fs';
import type { KafkaBusOptions } from '@identity/platform-messaging';
import { ConfigurationError, type ServiceConfig } from './config';

/** The TLS and SASL options of the Kafka clients, or start-up stops naming what is wrong. */
export function kafkaSecurity(config: ServiceConfig): Pick<KafkaBusOptions, 'ssl' | 'sasl'> {
  const problems: string[] = [];
  const file = (name: string): string | undefined => {
    const path = config.optionalString(name);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      problems.push(`${name} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (${path})`);
      return undefined;
    }
  };
  const ca = file('KAFKA_TLS_CA_FILE');
  const cert = file('KAFKA_TLS_CERT_FILE');
  const key = file('KAFKA_TLS_KEY_FILE');
  if ((config.optionalString('KAFKA_TLS_CERT_FILE') === undefined) !== (config.optionalString('KAFKA_TLS_KEY_FILE') === undefined)) {
    problems.push('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together');
  }
  const tls = config.bool('KAFKA_TLS') || ca !== undefined || cert !== undefined;
  const mechanism = config.string('KAFKA_SASL_MECHANISM') as 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  const username = config.optionalString('KAFKA_SASL_USERNAME');
  const password = config.optionalString('KAFKA_SASL_PASSWORD');
  if (mechanism !== 'none' && (username === undefined || password === undefined)) problems.push(`KAFKA_SASL_MECHANISM ${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`);
  if (mechanism === 'plain' && !tls) problems.push('KAFKA_SASL_MECHANISM plain sends the password in the clear: set KAFKA_TLS=true');
  if (mechanism === 'none' && (username !== undefined || password !== undefined)) problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM');
  if (problems.length > 0) throw new ConfigurationError(problems);
  const ssl = !tls ? undefined : ca === undefined && cert === undefined ? true : { ...(ca === undefined ? {} : { ca: [ca] }), ...(cert === undefined ? {} : { cert, key }) };
  const sasl = mechanism === 'none' ? undefined : { mechanism, username: username!, password: password! };
  return { ssl, sasl: sasl as KafkaBusOptions['sasl'] };
}
