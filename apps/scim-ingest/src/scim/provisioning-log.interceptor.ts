import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { catchError, tap, type Observable, throwError } from 'rxjs';
import { ProvisioningLog } from './provisioning-log';
import { toScimError } from './scim-exception.filter';
import type { ScimRequest } from './scim-http';

/** Records each request that reaches a SCIM handler, with its outcome. */
@Injectable()
export class ProvisioningLogInterceptor implements NestInterceptor {
  constructor(private readonly log: ProvisioningLog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    this.log.started(request);
    return next.handle().pipe(
      tap((result) => this.log.record(request, response.statusCode, (result as { id?: string } | undefined)?.id)),
      catchError((error: unknown) => {
        const scimError = toScimError(error);
        this.log.record(request, scimError.status, undefined, { type: scimError.scimType, detail: scimError.detail });
        return throwError(() => error);
      }),
    );
  }
}
