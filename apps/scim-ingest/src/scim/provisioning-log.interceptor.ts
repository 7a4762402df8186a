import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, type OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { catchError, tap, type Observable, throwError } from 'rxjs';
import type { Logger } from 'pino';
import { ProvisioningLogWriter } from '@identity/identity-data-access';
import { SERVICE_INFRASTRUCTURE, SERVICE_LOGGER, type ServiceInfrastructure } from '@identity/platform-service';
import { toScimError } from './scim-exception.filter';
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
};

/**
 * Records every authenticated SCIM request in the tenant's provisioning log (time, operation,
 * resource, outcome, error), as the IdP's own provisioning logs do; written in batches.
 */
@Injectable()
export class ProvisioningLogInterceptor implements NestInterceptor, OnApplicationShutdown {
  private readonly writer: ProvisioningLogWriter;

  constructor(@Inject(SERVICE_INFRASTRUCTURE) infrastructure: ServiceInfrastructure, @Inject(SERVICE_LOGGER) logger: Logger) {
    this.writer = new ProvisioningLogWriter(infrastructure.dataSource, (error) => logger.warn({ err: error }, 'provisioning log entries not written'));
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const started = Date.now();
    const routePath = String(request.route?.path ?? '').replace(/^.*\/(Users|Groups)/i, '$1').replace(/:\w+$/, ':id');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const record = (status: number, resourceId: string | undefined, error?: { type?: string; detail: string }) =>
      this.writer.record({
        tenantId: request.scimCaller!.tenantId,
        at: new Date(started),
        method: request.method,
        path: request.path.slice(0, 500),
        operation: OPERATIONS[`${request.method} ${routePath}`] ?? `${request.method} ${routePath}`,
        resourceType: /Groups/i.test(routePath) ? 'Group' : 'User',
        resourceId: (resourceId ?? (request.params.id as string | undefined))?.slice(0, 100) ?? null,
        userName: (typeof body.userName === 'string' ? body.userName : typeof body.displayName === 'string' ? body.displayName : null)?.slice(0, 256) ?? null,
        status,
        errorType: error?.type ?? null,
        errorDetail: error?.detail.slice(0, 1000) ?? null,
        durationMs: Date.now() - started,
        correlationId: request.scimCaller!.correlationId,
      });
    return next.handle().pipe(
      tap((result) => record(response.statusCode, (result as { id?: string } | undefined)?.id)),
      catchError((error: unknown) => {
        const scimError = toScimError(error);
        record(scimError.status, undefined, { type: scimError.scimType, detail: scimError.detail });
        return throwError(() => error);
      }),
    );
  }

  /** Tests read the log right after a request: this makes what is buffered visible. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.writer.flush();
  }
}
