import { defineEvent, objectSchema, text, uuid } from '../event-definition';
import { TOPICS } from '../topics';

export interface LicenseAssignedData {
  userId: string;
  plan: string;
  /**
   * `import`: a license CSV assigned it, and gives the user the extension and number its row asks
   * for (or the company's automatic ones) itself: the automatic assignment on this event leaves it alone.
   */
  source?: 'import';
}

export const LicenseAssigned = defineEvent<'LicenseAssigned', LicenseAssignedData>({
  eventType: 'LicenseAssigned',
  schemaVersion: 1,
  topic: TOPICS.licensingLicense,
  summary: 'An X Series license seat of a plan was assigned to a user.',
  dataSchema: objectSchema({ userId: uuid, plan: text(32), source: { type: 'string', enum: ['import'] } }, ['userId', 'plan']),
  example: { userId: '3b0d7c1e-5a4f-4e0b-9a2c-8f1d6e2b7c90', plan: 'X4' },
});

export interface LicenseUnassignedData {
  userId: string;
  plan: string;
  /**
   * Takes back the assignment just before it, made by a license CSV row that was then refused whole
   * (the extension or number it asked for was taken meanwhile): for auto-assignment rules the user
   * was never licensed by it.
   */
  undoesAssignment?: true;
}

export const LicenseUnassigned = defineEvent<'LicenseUnassigned', LicenseUnassignedData>({
  eventType: 'LicenseUnassigned',
  schemaVersion: 1,
  topic: TOPICS.licensingLicense,
  summary: 'A user’s license seat was given back.',
  dataSchema: objectSchema({ userId: uuid, plan: text(32), undoesAssignment: { type: 'boolean', enum: [true] } }, ['userId', 'plan']),
  example: { userId: '3b0d7c1e-5a4f-4e0b-9a2c-8f1d6e2b7c90', plan: 'X4' },
});
