import { defineEvent, nullableText, objectSchema, uuid } from '../event-definition';
import { TOPICS } from '../topics';

const extension = { type: 'string', pattern: '^[0-9]{2,8}$' } as const;
const e164 = { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' } as const;
const releaseReason = { enum: ['admin', 'user-deleted'] } as const;
const userId = '3b0d7c1e-5a4f-4e0b-9a2c-8f1d6e2b7c90';

export interface ExtensionAssignedData {
  userId: string;
  extension: string;
  /** The extension this one replaces, if the user had one. */
  previousExtension: string | null;
}

export const ExtensionAssigned = defineEvent<'ExtensionAssigned', ExtensionAssignedData>({
  eventType: 'ExtensionAssigned',
  schemaVersion: 1,
  topic: TOPICS.licensingTelephony,
  summary: 'A licensed user got an extension (unique within the company), or a different one.',
  dataSchema: objectSchema({ userId: uuid, extension, previousExtension: nullableText(8) }),
  example: { userId, extension: '2041', previousExtension: null },
});

export interface ExtensionReleasedData {
  userId: string;
  extension: string;
  reason: 'admin' | 'user-deleted';
}

export const ExtensionReleased = defineEvent<'ExtensionReleased', ExtensionReleasedData>({
  eventType: 'ExtensionReleased',
  schemaVersion: 1,
  topic: TOPICS.licensingTelephony,
  summary: 'A user’s extension was released; it can be given to someone else.',
  dataSchema: objectSchema({ userId: uuid, extension, reason: releaseReason }),
  example: { userId, extension: '2041', reason: 'user-deleted' },
});

export interface PhoneNumberAssignedData {
  userId: string;
  /** E.164 direct number from the company's pool. */
  number: string;
  previousNumber: string | null;
}

export const PhoneNumberAssigned = defineEvent<'PhoneNumberAssigned', PhoneNumberAssignedData>({
  eventType: 'PhoneNumberAssigned',
  schemaVersion: 1,
  topic: TOPICS.licensingTelephony,
  summary: 'A licensed user got a direct phone number from the company’s pool.',
  dataSchema: objectSchema({ userId: uuid, number: e164, previousNumber: nullableText(16) }),
  example: { userId, number: '+14255550123', previousNumber: null },
});

export interface PhoneNumberReleasedData {
  userId: string;
  number: string;
  reason: 'admin' | 'user-deleted';
  /** Until when the number stays out of the pool (a deleted user's number is not reused at once). */
  quarantinedUntil: string | null;
}

export const PhoneNumberReleased = defineEvent<'PhoneNumberReleased', PhoneNumberReleasedData>({
  eventType: 'PhoneNumberReleased',
  schemaVersion: 1,
  topic: TOPICS.licensingTelephony,
  summary: 'A user’s direct number went back to the pool, after a quarantine when the user was deleted.',
  dataSchema: objectSchema({ userId: uuid, number: e164, reason: releaseReason, quarantinedUntil: { type: ['string', 'null'], format: 'date-time' } }),
  example: { userId, number: '+14255550123', reason: 'user-deleted', quarantinedUntil: '2027-03-01T00:00:00.000Z' },
});

/** What a telephony event changes of a user's profile, for the read models that keep a copy of it. */
export function telephonyProfileChange(event: { eventType: string; data: unknown }): { field: 'extension' | 'directNumber'; value: string | null } | null {
  switch (event.eventType) {
    case 'ExtensionAssigned':
      return { field: 'extension', value: (event.data as ExtensionAssignedData).extension };
    case 'ExtensionReleased':
      return { field: 'extension', value: null };
    case 'PhoneNumberAssigned':
      return { field: 'directNumber', value: (event.data as PhoneNumberAssignedData).number };
    case 'PhoneNumberReleased':
      return { field: 'directNumber', value: null };
    default:
      return null;
  }
}
