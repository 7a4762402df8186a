import * as kafkajs from 'kafkajs';
import { isKafkaUnreachable } from './kafka-message-bus';

// kafkajs's own error classes, built as it builds them (its typings leave out the options it passes).
type ErrorClass = new (error: unknown, options?: Record<string, unknown>) => Error;
const errors = kafkajs as unknown as Record<string, ErrorClass>;
/** A retrier that ran out: kafkajs passes the last error as its cause. */
const exhausted = (cause: Error) => new errors.KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 8, retryTime: 2000, cause });
const connection = (code?: string) => Object.assign(new errors.KafkaJSConnectionError(`Connection error: ${code ?? 'Connection timeout'}`), code ? { code } : {});

describe('isKafkaUnreachable', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', undefined])('takes a broker that does not answer (%s) for away, which time mends', (code) => {
    expect(isKafkaUnreachable(exhausted(connection(code)))).toBe(true);
  });

  it('takes what Kafka refuses for a setting to fix: credentials, a certificate, a grant', () => {
    expect(isKafkaUnreachable(new errors.KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed'))).toBe(false);
    expect(isKafkaUnreachable(exhausted(connection('UNABLE_TO_VERIFY_LEAF_SIGNATURE')))).toBe(false);
    const denied = new errors.KafkaJSProtocolError({ type: 'TOPIC_AUTHORIZATION_FAILED', code: 29, retriable: false, message: 'Not authorized to access topics' });
    expect(isKafkaUnreachable(new errors.KafkaJSNonRetriableError(denied, { cause: denied }))).toBe(false);
    expect(isKafkaUnreachable(new Error('anything else'))).toBe(false);
  });
});
