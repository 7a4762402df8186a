import * as kafkajs from 'kafkajs';
// kafkajs's own table of the broker's error codes, as its protocol layer raises them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };
import { isKafkaUnreachable, producerStateLost } from './kafka-message-bus';

// kafkajs's own error classes, built as it builds them (its typings leave out the options it passes).
type ErrorClass = new (error: unknown, options?: Record<string, unknown>) => Error;
const errors = kafkajs as unknown as Record<string, ErrorClass>;
/** A retrier that ran out: kafkajs passes the last error as its cause. */
const exhausted = (cause: Error) => new errors.KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 8, retryTime: 2000, cause });
const connection = (message: string, code?: string) => Object.assign(new errors.KafkaJSConnectionError(message), code ? { code } : {});
const protocol = (code: number) => new errors.KafkaJSProtocolError(createErrorFromCode(code));

describe('isKafkaUnreachable', () => {
  it.each([
    ['refused', exhausted(connection('Connection error: connect ECONNREFUSED 10.0.0.1:9092', 'ECONNREFUSED'))],
    ['a name that does not resolve yet', exhausted(connection('Connection error: getaddrinfo EAI_AGAIN kafka', 'EAI_AGAIN'))],
    ['a connection that times out', exhausted(connection('Connection timeout'))],
    ['a broker that accepts and never answers', new Error('Broker not connected')],
    ['leaders being elected', exhausted(protocol(5))],
    ['the coordinator moving', exhausted(protocol(15))],
    ['a connection lost during SASL', new errors.KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed: Connection closed by the server')],
  ])('takes %s for Kafka away, which time mends', (_, error) => {
    expect(isKafkaUnreachable(error)).toBe(true);
  });

  it.each([
    ['a wrong password', new errors.KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed: Authentication failed: Invalid username or password')],
    ['a certificate no trusted CA signed', exhausted(connection('Connection error: unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'))],
    ['a client key file that is no key', exhausted(connection('Failed to connect: error:1E08010C:DECODER routines::unsupported PEM routines::no start line'))],
    ['a missing grant', new errors.KafkaJSNonRetriableError(protocol(29), { cause: protocol(29) })],
    ['anything else', new Error('x is undefined')],
  ])('takes %s for a setting Kafka refuses', (_, error) => {
    expect(isKafkaUnreachable(error)).toBe(false);
  });
});

describe('producerStateLost', () => {
  it('is the broker forgetting or fencing the producer, which only a new producer gets past', () => {
    for (const code of [45, 47, 59]) expect(producerStateLost(new errors.KafkaJSNonRetriableError(protocol(code), { cause: protocol(code) }))).toBe(true);
  });

  it('is not a refusal of a message, which a new producer would meet too', () => {
    for (const code of [10, 29, 87]) expect(producerStateLost(new errors.KafkaJSNonRetriableError(protocol(code), { cause: protocol(code) }))).toBe(false);
    expect(producerStateLost(exhausted(connection('Connection timeout')))).toBe(false);
  });
});
