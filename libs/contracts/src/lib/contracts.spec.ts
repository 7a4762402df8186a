import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { buildAsyncApiDocument, renderAsyncApiYaml } from './asyncapi';
import { EVENT_CATALOG } from './catalog';
import { envelopeSchema } from './envelope';
import { ALL_TOPICS } from './topics';

const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

describe('event contracts', () => {
  it('names every topic <domain>.<entity>.v<major>', () => {
    for (const topic of ALL_TOPICS) expect(topic.name).toMatch(/^[a-z]+\.[a-z-]+\.v[0-9]+$/);
  });

  it('has the minimum event set of the architecture, each on a known topic', () => {
    const names = EVENT_CATALOG.map((event) => event.eventType);
    for (const required of [
      'UserProvisioned',
      'UserAttributesChanged',
      'UserLinkedToIdp',
      'SiteAssigned',
      'UserDeactivated',
      'UserReactivated',
      'UserDeleted',
      'DirectoryVisibilityChanged',
      'SiteCreated',
      'SiteRenamed',
      'LicenseAssigned',
      'LicenseUnassigned',
      'SsoConfigured',
      'TenantCreated',
    ]) {
      expect(names).toContain(required);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const event of EVENT_CATALOG) expect(ALL_TOPICS).toContain(event.topic);
  });

  it.each(EVENT_CATALOG.map((event) => [event.eventType, event] as const))('%s: the golden sample satisfies its schema, in its envelope', (_name, event) => {
    const validateData = ajv.compile(event.dataSchema);
    expect(validateData(event.example)).toBe(true);
    const envelope = {
      eventId: '2b1e6c4a-0f3d-4b8a-9c7e-5d4f3a2b1c0d',
      eventType: event.eventType,
      schemaVersion: event.schemaVersion,
      tenantId: '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11',
      aggregateId: '3b0d7c1e-5a4f-4e0b-9a2c-8f1d6e2b7c90',
      aggregateVersion: 1,
      occurredAt: '2026-11-30T10:00:00.000Z',
      causationId: 'c-1',
      correlationId: 'c-1',
      data: event.example,
    };
    expect(ajv.validate(envelopeSchema, envelope)).toBe(true);
  });

  it('rejects data that breaks a schema (the schemas are not vacuous)', () => {
    for (const event of EVENT_CATALOG) {
      const validate = ajv.compile(event.dataSchema);
      expect(validate({ ...(event.example as object), unexpected: true })).toBe(false);
      expect(validate({})).toBe(false);
    }
  });

  it('docs/asyncapi.yaml is up to date (run `npm run docs` after changing a contract)', () => {
    const committed = readFileSync(path.resolve(__dirname, '../../../../docs/asyncapi.yaml'), 'utf8');
    expect(committed).toBe(renderAsyncApiYaml());
  });

  it('renders YAML that parses back to the same document', () => {
    expect(parse(renderAsyncApiYaml())).toEqual(buildAsyncApiDocument());
  });
});
