import { deciderSpec } from '@identity/platform-testing';
import { telephonyProfileDecider, telephonyReservations, type TelephonyProfileEvent } from './telephony-profile.decide';
import { DEFAULT_TELEPHONY_SETTINGS, telephonySettingsDecider } from './telephony-settings.decide';

const userId = '3b0d7c1e-5a4f-4e0b-9a2c-8f1d6e2b7c90';
const tenantId = '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11';
const plan = { length: 4, rangeStart: 2000, rangeEnd: 2999 };
const licensed = { licensed: true, deleted: false };
const profile = deciderSpec(telephonyProfileDecider);
const settings = deciderSpec(telephonySettingsDecider);
const extensionAssigned = (extension: string, previousExtension: string | null = null): TelephonyProfileEvent => ({
  type: 'ExtensionAssigned',
  data: { userId, extension, previousExtension },
});

describe('telephony profile', () => {
  it('assigns an extension of the plan to a licensed user, and changes it', () => {
    profile.given([]).when({ type: 'AssignExtension', userId, extension: '2041', plan, user: licensed }).then([extensionAssigned('2041')]);
    profile.given([extensionAssigned('2041')]).when({ type: 'AssignExtension', userId, extension: '2042', plan, user: licensed }).then([extensionAssigned('2042', '2041')]);
    profile.given([extensionAssigned('2041')]).when({ type: 'AssignExtension', userId, extension: '2041', plan, user: licensed }).then([]);
  });

  it('never lets an automatic assignment replace what an admin set meanwhile', () => {
    profile.given([extensionAssigned('2041')]).when({ type: 'AssignExtension', userId, extension: '2042', plan, user: licensed, keepExisting: true }).then([]);
    profile.given([]).when({ type: 'AssignExtension', userId, extension: '2042', plan, user: licensed, keepExisting: true }).then([extensionAssigned('2042')]);
  });

  it.each([
    [{ licensed: false, deleted: false }, '2041', plan, 'not-licensed'],
    [{ licensed: true, deleted: true }, '2041', plan, 'user-deleted'],
    [licensed, '2041', null, 'no-extension-plan'],
    [licensed, '3041', plan, 'invalid-extension'],
    [licensed, '204', plan, 'invalid-extension'],
    [licensed, '20a1', plan, 'invalid-extension'],
  ] as const)('refuses %j extension %s (plan %j): %s', (user, extension, extensionPlan, code) => {
    profile.given([]).when({ type: 'AssignExtension', userId, extension, plan: extensionPlan, user }).thenThrows({ code });
  });

  it('assigns a number from the pool in E.164, never one in quarantine or outside the pool', () => {
    profile
      .given([])
      .when({ type: 'AssignPhoneNumber', userId, number: '+1 (425) 555-0123', availability: 'available', user: licensed })
      .then([{ type: 'PhoneNumberAssigned', data: { userId, number: '+14255550123', previousNumber: null } }]);
    profile.given([]).when({ type: 'AssignPhoneNumber', userId, number: '+14255550123', availability: 'quarantined', user: licensed }).thenThrows({ code: 'quarantined' });
    profile.given([]).when({ type: 'AssignPhoneNumber', userId, number: '+14255550123', availability: 'not-in-pool', user: licensed }).thenThrows({ code: 'not-in-pool' });
    profile.given([]).when({ type: 'AssignPhoneNumber', userId, number: '0425 555 0123', availability: 'available', user: licensed }).thenThrows({ code: 'invalid-number' });
  });

  it('releases with the reason and the quarantine the caller worked out', () => {
    profile
      .given([{ type: 'PhoneNumberAssigned', data: { userId, number: '+14255550123', previousNumber: null } }])
      .when({ type: 'ReleasePhoneNumber', userId, reason: 'user-deleted', quarantinedUntil: '2027-03-01T00:00:00.000Z' })
      .then([{ type: 'PhoneNumberReleased', data: { userId, number: '+14255550123', reason: 'user-deleted', quarantinedUntil: '2027-03-01T00:00:00.000Z' } }]);
    profile.given([]).when({ type: 'ReleaseExtension', userId, reason: 'admin' }).then([]);
  });

  it('reserves what a user holds and releases what it gave up, per company', () => {
    const before = { extension: '2041', number: null };
    expect(telephonyReservations(tenantId, [extensionAssigned('2042', '2041')], before)).toEqual([
      { action: 'release', scope: 'extension', key: `${tenantId}:2041` },
      { action: 'reserve', scope: 'extension', key: `${tenantId}:2042` },
    ]);
  });
});

describe('telephony settings', () => {
  it('checks the extension plan and needs one for automatic extensions', () => {
    settings.given([]).when({ type: 'ChangeTelephonySettings', tenantId, settings: { ...DEFAULT_TELEPHONY_SETTINGS, extensionPlan: { length: 3, rangeStart: 100, rangeEnd: 1000 } } }).thenThrows({ code: 'invalid-value' });
    settings.given([]).when({ type: 'ChangeTelephonySettings', tenantId, settings: { ...DEFAULT_TELEPHONY_SETTINGS, autoAssignExtension: true } }).thenThrows({ code: 'no-extension-plan' });
    settings.given([]).when({ type: 'ChangeTelephonySettings', tenantId, settings: DEFAULT_TELEPHONY_SETTINGS }).then([]);
  });

  it('imports numbers once each, normalised to E.164, and refuses a malformed one', () => {
    settings
      .given([{ type: 'PhoneNumbersImported', data: { tenantId, numbers: ['+14255550100'] } }])
      .when({ type: 'ImportPhoneNumbers', tenantId, numbers: ['+1 425 555 0100', '+1 425 555 0101', '+14255550101'] })
      .then([{ type: 'PhoneNumbersImported', data: { tenantId, numbers: ['+14255550101'] } }]);
    settings.given([]).when({ type: 'ImportPhoneNumbers', tenantId, numbers: ['555-0100'] }).thenThrows({ code: 'invalid-number' });
  });
});
