export { scimIngestService } from './scim-ingest.service';
