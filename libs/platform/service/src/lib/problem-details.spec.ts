import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from './problem-details';

describe('isDatabaseUnavailable', () => {
  it('takes a transaction whose connection PostgreSQL dropped (found by npm run chaos) for an outage', () => {
    expect(isDatabaseUnavailable(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
  });

  it('leaves other errors to be 500s', () => {
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});
