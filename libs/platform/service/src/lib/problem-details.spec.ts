import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, ProblemDetailsFilter, type Problem } from './problem-details';

describe('isDatabaseUnavailable', () => {
  it('takes a transaction whose connection PostgreSQL dropped (found by npm run chaos) for an outage', () => {
    expect(isDatabaseUnavailable(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
  });

  it.each([
    ['ENOTFOUND', 'the database host name does not resolve while its pod moves'],
    ['EAI_AGAIN', 'DNS answers later'],
    ['EHOSTUNREACH', 'no route for a moment'],
    ['ETIMEDOUT', 'the connection timed out'],
    ['53100', 'disk full'],
    ['53200', 'out of memory'],
    ['25006', 'read-only: after a failover the connection reached a standby'],
    ['40P01', 'a deadlock victim'],
    ['40001', 'a serialisation failure'],
    ['55P03', 'a lock not had within lock_timeout'],
    ['08006', 'the connection failed'],
  ])('takes %s (%s) for a moment the database cannot answer, which a consumer retries rather than dead-letters', (code) => {
    expect(isDatabaseUnavailable(Object.assign(new Error('database error'), { code }))).toBe(true);
  });

  it('leaves other errors to be 500s', () => {
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    // A unique violation or a bad value is the request's fault or ours; retrying changes nothing.
    for (const code of ['23505', '22P02', '42P01', '08P01']) expect(isDatabaseUnavailable(Object.assign(new Error('database error'), { code }))).toBe(false);
  });
});

describe('ProblemDetailsFilter with a protocol renderer (the SAML pages)', () => {
  function run(error: unknown) {
    const logged: unknown[] = [];
    const sent: { status?: number; headers: Record<string, string>; problem?: Problem } = { headers: {} };
    const response = {
      statusCode: 200,
      setHeader: (name: string, value: string) => {
        sent.headers[name] = value;
      },
      status(code: number) {
        this.statusCode = code;
        sent.status = code;
        return this;
      },
    };
    const renderer = {
      owns: (path: string) => path === '/saml2',
      render: (_: unknown, __: unknown, problem: Problem) => {
        sent.problem = problem;
        response.status(problem.status);
      },
    };
    const logger = { error: (...args: unknown[]) => logged.push(args) } as unknown as Logger;
    const host = { switchToHttp: () => ({ getResponse: () => response, getRequest: () => ({ path: '/saml2' }) }) } as unknown as ArgumentsHost;
    new ProblemDetailsFilter([], logger, [renderer]).catch(error, host);
    return { sent, logged };
  }

  it('logs an unexpected error on a page it renders, so the reference on the page leads somewhere', () => {
    const { sent, logged } = run(new TypeError('x is undefined'));
    expect(sent.status).toBe(500);
    expect(logged).toHaveLength(1);
  });

  it('hands the renderer a 503 with Retry-After when the database is down, and logs nothing', () => {
    const { sent, logged } = run(Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' }));
    expect(sent.problem?.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('5');
    expect(logged).toHaveLength(0);
  });
});
