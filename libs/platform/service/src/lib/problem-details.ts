import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { isTransactionConflict } from '@identity/platform-event-store';
import { JSON_TOO_DEEP } from './json-depth';
import { UNSTORABLE_TEXT } from './unstorable-text';

/** RFC 9457 problem details: the error format of every admin REST endpoint. */
export interface Problem {
  status: number;
  title: string;
  detail?: string;
  type?: string;
  [extension: string]: unknown;
}

/** Turns a known error into a problem; returns undefined for errors it does not know. */
export type ErrorMapper = (error: unknown) => Problem | undefined;

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

/** The error type of a body other than a form where only a form is taken (formBodyParser's `forms-only`). */
export const FORM_REQUIRED = 'form.required';

/**
 * A request body the parser refused (over the limit, or not JSON), whichever protocol answers it.
 * Nest wraps body-parser errors in an HttpException whose `cause` is the parser's error.
 */
export function requestBodyFault(error: unknown): { status: 413 | 415 | 400; detail: string } | undefined {
  // Nest hands body-parser's errors on wrapped in an HttpException, the original as its cause.
  const fault = error as { type?: string; code?: string; cause?: { type?: string; code?: string } } | null;
  const type = fault?.type ?? fault?.cause?.type;
  const code = fault?.code ?? fault?.cause?.code;
  if (type === 'entity.too.large') return { status: 413, detail: 'the request body is over the size limit' };
  if (type === 'entity.parse.failed') return { status: 400, detail: 'the request body is not valid JSON' };
  if (type === JSON_TOO_DEEP) return { status: 400, detail: (fault?.cause as Error | undefined)?.message ?? (error as Error).message };
  if (type === UNSTORABLE_TEXT) return { status: 400, detail: (fault?.cause as Error | undefined)?.message ?? (error as Error).message };
  if (type === FORM_REQUIRED) return { status: 415, detail: 'the request body must be a form (application/x-www-form-urlencoded)' };
  if (type === 'charset.unsupported') return { status: 415, detail: 'the request body must be UTF-8' };
  if (type === 'encoding.unsupported') return { status: 415, detail: 'the request body’s Content-Encoding is not supported (gzip, deflate, br or none)' };
  if (type === 'request.aborted' || type === 'request.size.invalid') return { status: 400, detail: 'the request body ended before its declared length' };
  // body-parser passes a corrupt gzip or deflate stream on as zlib's own error, with no type.
  if (typeof code === 'string' && code.startsWith('Z_')) return { status: 400, detail: 'the request body could not be decompressed' };
  return undefined;
}

/** Errors of the network on the way to the database (the name of a moving database pod not resolving, say). */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);
/**
 * SQLSTATEs of a database that cannot do it now and will: connection exceptions (08), too few
 * resources (53: disk full, out of memory, too many connections), shutting down or starting
 * (57P01-57P03), a cancelled statement (57014: DATABASE_STATEMENT_TIMEOUT_MS), read-only after a
 * failover left the connection on a standby (25006), a deadlock or serialisation victim (40P01,
 * 40001), a lock not had in time (55P03), an I/O error (58030).
 */
const TRANSIENT_SQLSTATE = /^(08(000|001|003|004|006|007)|53\d{3}|57P0[123]|57014|25006|40P01|40001|55P03|58030)$/;

/**
 * Errors that mean "the database cannot do it right now": callers should retry (HTTP answers 503
 * with Retry-After; a consumer retries the event and never dead-letters it for this).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  // TypeORM releases a transaction's connection as soon as PostgreSQL drops it (a restart, a
  // failover); the transaction's next statement (its COMMIT, too) then fails with one of these
  // instead of the cause, before anything reaches the server.
  if (error instanceof Error && ['QueryRunnerProviderAlreadyReleasedError', 'QueryRunnerAlreadyReleasedError'].includes(error.name)) return true;
  return (
    (code !== undefined && (NETWORK_ERRORS.has(code) || TRANSIENT_SQLSTATE.test(code))) ||
    /Connection terminated|timeout exceeded when trying to connect|the database system is (starting|shutting) up|is not currently accepting connections|terminating connection/i.test(message)
  );
}

/**
 * A protocol with an error format of its own (SCIM, SAML) for the paths it owns. Errors raised
 * before routing (a body over the limit, malformed JSON) reach only the global filter, so it asks.
 */
export interface ProtocolErrorRenderer {
  owns(path: string): boolean;
  /** `problem` is what the platform makes of the error: the status for errors the protocol does not know (500, or 503 when the database is down). */
  render(error: unknown, response: Response, problem: Problem): void;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(
    private readonly mappers: readonly ErrorMapper[],
    private readonly logger: Logger,
    private readonly renderers: readonly ProtocolErrorRenderer[] = [],
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const path = host.switchToHttp().getRequest<{ path?: string }>().path ?? '';
    const renderer = this.renderers.find((candidate) => candidate.owns(path));
    const problem = this.toProblem(error);
    if (problem.status === 503) response.setHeader('Retry-After', '5');
    if (renderer) {
      renderer.render(error, response, problem);
    } else {
      if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="identity-platform"');
      response.status(problem.status).type('application/problem+json').json({ type: 'about:blank', ...problem });
    }
    if (response.statusCode >= 500 && response.statusCode !== 503) this.logger.error({ err: error }, 'request failed');
  }

  private toProblem(error: unknown): Problem {
    if (error instanceof ProblemError) return error.problem;
    for (const mapper of this.mappers) {
      const problem = mapper(error);
      if (problem) return problem;
    }
    const bodyFault = requestBodyFault(error);
    if (bodyFault) return { status: bodyFault.status, title: httpTitle(bodyFault.status), detail: bodyFault.detail };
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const detail = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      return { status, title: httpTitle(status), detail: Array.isArray(detail) ? detail.join('; ') : String(detail ?? error.message) };
    }
    if (isDatabaseUnavailable(error)) return { status: 503, title: 'Service Unavailable', detail: 'the database is unavailable; retry later' };
    if (isTransactionConflict(error)) return { status: 503, title: 'Service Unavailable', detail: 'the change collided with a concurrent one; retry' };
    return { status: 500, title: 'Internal Server Error', detail: 'an unexpected error occurred; it was logged' };
  }
}

function httpTitle(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    412: 'Precondition Failed',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  return titles[status] ?? 'Error';
}
