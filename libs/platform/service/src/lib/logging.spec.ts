import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';
import { createLogger } from './logging';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('test', 'info', stream), lines };
}

describe('the service log', () => {
  it('keeps the values a failed query carried out of the log (a signing key being stored, a user’s attributes)', () => {
    const { logger, lines } = capture();
    const key = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';
    const driverError = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014', detail: `Failing row contains (kid-1, ${key})`, parameters: [key] });
    logger.error({ err: new QueryFailedError('INSERT INTO sso.signing_keys (kid, private_key) VALUES ($1, $2)', ['kid-1', key], driverError) }, 'request failed');
    const [line] = lines;
    expect(line).not.toContain('PRIVATE KEY');
    expect(JSON.parse(line).err).toMatchObject({ type: 'QueryFailedError', message: 'canceling statement due to statement timeout', code: '57014', query: expect.stringContaining('INSERT INTO sso.signing_keys') });
  });

  it('redacts tokens and passwords wherever they are logged', () => {
    const { logger, lines } = capture();
    logger.info({ request: { token: 'secret-token' }, kafka: { password: 'p' } }, 'x');
    expect(lines[0]).not.toMatch(/secret-token|"p"/);
  });
});
