import { storableText } from '@identity/platform-service';
import type { DataSource } from 'typeorm';

export interface ProvisioningLogEntry {
  tenantId: string;
  at: Date;
  method: string;
  path: string;
  operation: string;
  /** User or Group; null for discovery. */
  resourceType: string | null;
  resourceId: string | null;
  userName: string | null;
  status: number;
  errorType: string | null;
  errorDetail: string | null;
  durationMs: number;
  correlationId: string;
}

/**
 * Writes the provisioning log in batches, off the request path: one multi-row insert (one commit)
 * every `flushMs` instead of one per SCIM request. A crash loses at most the last batch of log
 * lines, never a provisioning change, which commits with its events.
 */
export class ProvisioningLogWriter {
  private buffer: ProvisioningLogEntry[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly onError: (error: unknown) => void,
    private readonly flushMs = 50,
    private readonly maxBatch = 500,
  ) {}

  record(entry: ProvisioningLogEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes what is buffered; resolves when it is stored (used at shutdown and by tests). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer.splice(0);
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.write(batch)).catch(this.onError);
    return this.flushing;
  }

  private async write(batch: ProvisioningLogEntry[]): Promise<void> {
    // A request's path, username or error detail may hold a NUL (the request was refused for it); one such line must not sink the batch.
    const column = <K extends keyof ProvisioningLogEntry>(key: K) =>
      batch.map((entry) => (typeof entry[key] === 'string' ? storableText(entry[key] as string) : entry[key]));
    await this.dataSource.query(
      `INSERT INTO scim.provisioning_log (tenant_id, at, method, path, operation, resource_type, resource_id, user_name, status, outcome,
                                          error_type, error_detail, duration_ms, correlation_id)
       SELECT tenant_id, at, method, path, operation, resource_type, resource_id, user_name, status,
              CASE WHEN status < 400 THEN 'success' ELSE 'failure' END, error_type, error_detail, duration_ms, correlation_id
         FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[],
                     $10::text[], $11::text[], $12::int[], $13::text[])
           AS l(tenant_id, at, method, path, operation, resource_type, resource_id, user_name, status, error_type, error_detail, duration_ms, correlation_id)`,
      [
        column('tenantId'),
        column('at'),
        column('method'),
        column('path'),
        column('operation'),
        column('resourceType'),
        column('resourceId'),
        column('userName'),
        column('status'),
        column('errorType'),
        column('errorDetail'),
        column('durationMs'),
        column('correlationId'),
      ],
    );
  }
}
