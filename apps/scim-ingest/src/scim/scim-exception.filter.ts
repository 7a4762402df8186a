import { ArgumentsHost, Catch, HttpException, Inject, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { ScimError, scimErrorBody } from '@identity/platform-scim';
import { isTransactionConflict } from '@identity/platform-event-store';
import { isDatabaseUnavailable, ProblemError, requestBodyFault, SERVICE_LOGGER } from '@identity/platform-service';
import { ProvisioningLog } from './provisioning-log';
import { SCIM_CONTENT_TYPE, type ScimRequest } from './scim-http';

/** Every failure of the SCIM endpoints in the RFC 7644 error format; a 500 only for our own faults. */
export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof ProblemError) return new ScimError(error.problem.status, undefined, error.problem.detail ?? error.problem.title);
  const bodyFault = requestBodyFault(error);
  if (bodyFault) return bodyFault.status === 400 ? ScimError.invalidSyntax(bodyFault.detail) : new ScimError(bodyFault.status, undefined, bodyFault.detail);
  if (error instanceof HttpException) {
    const body = error.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    return new ScimError(error.getStatus(), undefined, Array.isArray(message) ? message.join('; ') : String(message ?? error.message));
  }
  if (isDatabaseUnavailable(error)) return new ScimError(503, undefined, 'the service is briefly unavailable; retry later');
  if (isTransactionConflict(error)) return new ScimError(503, undefined, 'the change collided with a concurrent one; retry');
  return new ScimError(500, undefined, 'an unexpected error occurred; it was logged');
}

/** A 429: the tenant sent more than its rate; `retryAfterSeconds` says when a token is free again. */
export class ScimRateLimited extends ScimError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, undefined, `too many requests for this tenant; retry after ${retryAfterSeconds} s`);
  }
}

export function writeScimError(response: Response, error: ScimError): void {
  if (error instanceof ScimRateLimited) response.setHeader('Retry-After', String(error.retryAfterSeconds));
  if (error.status === 503) response.setHeader('Retry-After', '5');
  if (error.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
  response.status(error.status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(scimErrorBody(error)));
}

@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly log: ProvisioningLog,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const scimError = toScimError(error);
    if (scimError.status === 500) this.logger.error({ err: error }, 'SCIM request failed');
    // What the handler's interceptor never saw (a 429 from the guard) goes to the provisioning log here.
    this.log.record(host.switchToHttp().getRequest<ScimRequest>(), scimError.status, undefined, { type: scimError.scimType, detail: scimError.detail });
    writeScimError(host.switchToHttp().getResponse<Response>(), scimError);
  }
}
