import { azureResponseXml, createIdpKeys, postBinding, type IdpKeys } from '@identity/platform-testing';
import { decodePostBinding, SamlRejected } from './saml-message';
import { ACCEPTED_CLOCK_SKEW_MS, readEnvelope, verifyResponse, type AuthnRequestStore, type VerifiedAssertion } from './service-provider';

const ACS = 'https://identity.example/saml2';
const ISSUER = 'https://sts.windows.net/6f1c9d0e-1b4a-4c55-9d55-3e2f0c1a2b3c/';
const ISSUED_AT = new Date('2026-12-01T09:00:00Z');

/** Unsolicited responses only (the My Apps tile): no request is ever pending. */
const noRequests: AuthnRequestStore = { saveAsync: async () => null, getAsync: async () => null, removeAsync: async () => null };

/** Every timer stays real; only the clock that node-saml and the checks read is set. */
const setClock = (at: Date) =>
  jest.useFakeTimers({ now: at, doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });

describe('verifyResponse: how long an unsolicited response is accepted', () => {
  let keys: IdpKeys;

  beforeAll(() => {
    keys = createIdpKeys();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  async function verifyAt(at: Date, bearerMinutes?: number): Promise<VerifiedAssertion | string> {
    const encoded = postBinding(azureResponseXml({ keys, issuer: ISSUER, nameId: 'ada@contoso.com', audience: ACS, recipient: ACS, now: ISSUED_AT, bearerMinutes }));
    setClock(at);
    try {
      return await verifyResponse({ entityId: ACS, acsUrl: ACS }, { signInUrl: 'https://login.microsoftonline.com/x/saml2', issuer: ISSUER, certificates: [keys.certPem] }, noRequests, encoded, readEnvelope(decodePostBinding(encoded)));
    } catch (error) {
      if (error instanceof SamlRejected) return error.reason;
      throw error;
    } finally {
      jest.useRealTimers();
    }
  }

  const minutesAfterIssue = (minutes: number) => new Date(ISSUED_AT.getTime() + minutes * 60_000);

  it('until its bearer confirmation ends (Entra: 5 minutes), plus the clock skew, and its replay record lives exactly that long', async () => {
    const accepted = await verifyAt(minutesAfterIssue(1));
    if (typeof accepted === 'string') throw new Error(`refused: ${accepted}`);
    const lastAcceptedMoment = minutesAfterIssue(5).getTime() + ACCEPTED_CLOCK_SKEW_MS - 1;
    expect(accepted.replayableUntil.getTime()).toBe(lastAcceptedMoment + 1);
    expect(typeof (await verifyAt(new Date(lastAcceptedMoment)))).toBe('object');
    expect(await verifyAt(new Date(lastAcceptedMoment + 1))).toBe('expired');
  });

  it('never past 10 minutes after issue, whatever the bearer confirmation says', async () => {
    const accepted = await verifyAt(minutesAfterIssue(1), 60);
    if (typeof accepted === 'string') throw new Error(`refused: ${accepted}`);
    expect(accepted.replayableUntil.getTime()).toBe(minutesAfterIssue(10).getTime() + ACCEPTED_CLOCK_SKEW_MS);
    expect(await verifyAt(minutesAfterIssue(10 + ACCEPTED_CLOCK_SKEW_MS / 60_000), 60)).toBe('expired');
  });
});
