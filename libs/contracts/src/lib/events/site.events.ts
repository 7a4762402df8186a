import { defineEvent, objectSchema, text, uuid } from '../event-definition';
import { TOPICS } from '../topics';

export interface SiteCreatedData {
  siteId: string;
  name: string;
}

export const SiteCreated = defineEvent<'SiteCreated', SiteCreatedData>({
  eventType: 'SiteCreated',
  schemaVersion: 1,
  topic: TOPICS.directorySite,
  summary: 'A site (office) was created in a company.',
  dataSchema: objectSchema({ siteId: uuid, name: text(200) }),
  example: { siteId: '5e2b1f7a-3c4d-4b8e-a1f2-9d0c7b6a5e43', name: 'Redmond HQ' },
});

export interface SiteRenamedData {
  siteId: string;
  oldName: string;
  newName: string;
}

export const SiteRenamed = defineEvent<'SiteRenamed', SiteRenamedData>({
  eventType: 'SiteRenamed',
  schemaVersion: 1,
  topic: TOPICS.directorySite,
  summary: 'A site was renamed; its users stay at it.',
  dataSchema: objectSchema({ siteId: uuid, oldName: text(200), newName: text(200) }),
  example: { siteId: '5e2b1f7a-3c4d-4b8e-a1f2-9d0c7b6a5e43', oldName: 'Redmond HQ', newName: 'Redmond Campus' },
});
