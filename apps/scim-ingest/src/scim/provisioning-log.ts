import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ProvisioningLogWriter } from '@identity/identity-data-access';
import { SERVICE_INFRASTRUCTURE, SERVICE_LOGGER, type ServiceInfrastructure } from '@identity/platform-service';
import type { ScimRequest } from './scim-http';

const OPERATIONS: Record<string, string> = {
  'POST Users': 'Create user',
  'GET Users': 'Query users',
  'GET Users/:id': 'Get user',
  'PATCH Users/:id': 'Update user',
  'PUT Users/:id': 'Replace user',
  'DELETE Users/:id': 'Delete user',
  'POST Groups': 'Create group',
  'GET Groups': 'Query groups',
  'GET Groups/:id': 'Get group',
  'PATCH Groups/:id': 'Update group',
  'PUT Groups/:id': 'Replace group',
  'DELETE Groups/:id': 'Delete group',
  'GET ServiceProviderConfig': 'Read service provider configuration',
  'GET Schemas': 'Read schemas',
  'GET Schemas/:id': 'Read schema',
  'GET ResourceTypes': 'Read resource types',
  'GET ResourceTypes/:id': 'Read resource type',
};

type LoggedRequest = ScimRequest & { provisioningLogStarted?: number; provisioningLogged?: boolean };

/**
 * The tenant's provisioning log (time, operation, resource, outcome, error), as the IdP's own
 * provisioning logs show it; every request of an authenticated caller is recorded once, written in
 * batches. The interceptor records what reaches a handler; the SCIM error filter records what was
 * refused before (a 429 above the tenant's rate).
 */
@Injectable()
export class ProvisioningLog implements OnApplicationShutdown {
  private readonly writer: ProvisioningLogWriter;

  constructor(@Inject(SERVICE_INFRASTRUCTURE) infrastructure: ServiceInfrastructure, @Inject(SERVICE_LOGGER) logger: Logger) {
    this.writer = new ProvisioningLogWriter(infrastructure.dataSource, (error) => logger.warn({ err: error }, 'provisioning log entries not written'));
  }

  started(request: ScimRequest): void {
    (request as LoggedRequest).provisioningLogStarted ??= Date.now();
  }

  /** Records the request unless it was already, and only for a caller the SCIM guard let in. */
  record(request: ScimRequest, status: number, resourceId?: string, error?: { type?: string; detail: string }): void {
    const logged = request as LoggedRequest;
    if (!request.scimCaller || logged.provisioningLogged) return;
    logged.provisioningLogged = true;
    const started = logged.provisioningLogStarted ?? Date.now();
    const routePath = String(request.route?.path ?? '')
      .replace(/^.*\/(Users|Groups|ServiceProviderConfig|Schemas|ResourceTypes|Me|Bulk)/i, '$1')
      .replace(/:\w+$/, ':id')
      .replace(/^Me\/.*$/, 'Me');
    const body = (request.body ?? {}) as Record<string, unknown>;
    this.writer.record({
      tenantId: request.scimCaller.tenantId,
      at: new Date(started),
      method: request.method,
      path: request.path.slice(0, 500),
      operation: OPERATIONS[`${request.method} ${routePath}`] ?? `${request.method} ${routePath}`,
      resourceType: /^Groups/.test(routePath) ? 'Group' : /^Users/.test(routePath) ? 'User' : null,
      resourceId: (resourceId ?? (request.params.id as string | undefined))?.slice(0, 100) ?? null,
      userName: (typeof body.userName === 'string' ? body.userName : typeof body.displayName === 'string' ? body.displayName : null)?.slice(0, 256) ?? null,
      status,
      errorType: error?.type ?? null,
      errorDetail: error?.detail.slice(0, 1000) ?? null,
      durationMs: Date.now() - started,
      correlationId: request.scimCaller.correlationId,
    });
  }

  /** Tests read the log right after a request: this makes what is buffered visible. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.writer.flush();
  }
}
