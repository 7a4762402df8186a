import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import type { Logger } from 'pino';
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
 * resource, outcome, error), as the IdP's own provisioning logs do, before the response leaves.
 */
@Injectable()
export class ProvisioningLogInterceptor implements NestInterceptor {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const started = Date.now();
    const routePath = String(request.route?.path ?? '').replace(/^.*\/(Users|Groups)/i, '$1').replace(/:\w+$/, ':id');
    const operation = OPERATIONS[`${request.method} ${routePath}`] ?? `${request.method} ${routePath}`;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const record = (status: number, resourceId: string | undefined, error?: { type?: string; detail: string }) =>
      from(
        this.write({
          tenantId: request.scimCaller!.tenantId,
          method: request.method,
          path: request.path,
          operation,
          resourceType: /Groups/i.test(routePath) ? 'Group' : 'User',
          resourceId: resourceId ?? (request.params.id as string | undefined),
          userName: typeof body.userName === 'string' ? body.userName : typeof body.displayName === 'string' ? body.displayName : undefined,
          status,
          error,
          durationMs: Date.now() - started,
          correlationId: request.scimCaller!.correlationId,
        }),
      );
    return next.handle().pipe(
      mergeMap((result) => record(response.statusCode, (result as { id?: string } | undefined)?.id).pipe(mergeMap(() => [result]))),
      catchError((error: unknown) => {
        const scimError = toScimError(error);
        return record(scimError.status, undefined, { type: scimError.scimType, detail: scimError.detail }).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }

  private async write(entry: {
    tenantId: string;
    method: string;
    path: string;
    operation: string;
    resourceType: string;
    resourceId?: string;
    userName?: string;
    status: number;
    error?: { type?: string; detail: string };
    durationMs: number;
    correlationId: string;
  }): Promise<void> {
    try {
      await this.infrastructure.dataSource.query(
        `INSERT INTO scim.provisioning_log (tenant_id, method, path, operation, resource_type, resource_id, user_name, status, outcome,
                                            error_type, error_detail, duration_ms, correlation_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          entry.tenantId,
          entry.method,
          entry.path.slice(0, 500),
          entry.operation,
          entry.resourceType,
          entry.resourceId?.slice(0, 100) ?? null,
          entry.userName?.slice(0, 256) ?? null,
          entry.status,
          entry.status < 400 ? 'success' : 'failure',
          entry.error?.type ?? null,
          entry.error?.detail.slice(0, 1000) ?? null,
          entry.durationMs,
          entry.correlationId,
        ],
      );
    } catch (error) {
      // The log must never turn a provisioning success into a failure.
      this.logger.warn({ err: error }, 'provisioning log entry not written');
    }
  }
}
