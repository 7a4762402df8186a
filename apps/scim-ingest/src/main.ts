import 'reflect-metadata';
import { runServiceProcess } from '@identity/platform-service';
import { scimIngestService } from './scim-ingest.service';

void runServiceProcess(scimIngestService);
