import { COMMON_CONFIG, ConfigurationError, PLATFORM_ADMIN_TOKEN, ServiceConfig } from './config';

const schema = [...COMMON_CONFIG, PLATFORM_ADMIN_TOKEN];
const valid = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', KAFKA_BROKERS: 'a:9092, b:9092', PLATFORM_ADMIN_TOKEN: 'x'.repeat(40) };

describe('ServiceConfig', () => {
  it('parses and applies defaults', () => {
    const config = ServiceConfig.load(schema, valid);
    expect(config.list('KAFKA_BROKERS')).toEqual(['a:9092', 'b:9092']);
    expect(config.int('PORT')).toBe(3000);
    expect(config.bool('MIGRATIONS_RUN')).toBe(true);
    expect(config.optionalString('KAFKA_NAMESPACE')).toBeUndefined();
  });

  it('names every missing or malformed variable at once, and never echoes a secret', () => {
    let error: unknown;
    try {
      ServiceConfig.load(schema, { DATABASE_URL: 'not a url with secret-password', PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('DATABASE_URL must be a URL');
    expect(message).toContain('KAFKA_BROKERS is required');
    expect(message).toContain('PLATFORM_ADMIN_TOKEN is required');
    expect(message).toContain('PORT must be a whole number');
    expect(message).toContain('LOG_LEVEL must be one of');
    expect(message).not.toContain('secret-password');
  });
});
