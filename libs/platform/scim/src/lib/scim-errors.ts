/** The `scimType` keywords of RFC 7644 §3.12; clients switch on them, so the set is closed. */
export type ScimErrorType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  /** RFC 7644 makes the status a JSON string; Okta's conformance suite asserts `"404"`, not `404`. */
  status: string;
  scimType?: ScimErrorType;
  detail: string;
}

/**
 * A failure the SCIM client must see as an RFC 7644 error body. Everything in this library throws
 * only this, so the HTTP layer can map every failure without guessing (never a 500 for bad input).
 */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType?: ScimErrorType;
  readonly detail: string;

  constructor(status: number, scimType: ScimErrorType | undefined, detail: string) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.detail = detail;
    if (scimType !== undefined) this.scimType = scimType;
  }

  static invalidFilter(detail: string): ScimError {
    return new ScimError(400, 'invalidFilter', detail);
  }

  static invalidValue(detail: string): ScimError {
    return new ScimError(400, 'invalidValue', detail);
  }

  static invalidSyntax(detail: string): ScimError {
    return new ScimError(400, 'invalidSyntax', detail);
  }

  static invalidPath(detail: string): ScimError {
    return new ScimError(400, 'invalidPath', detail);
  }

  static noTarget(detail: string): ScimError {
    return new ScimError(400, 'noTarget', detail);
  }

  static mutability(detail: string): ScimError {
    return new ScimError(400, 'mutability', detail);
  }

  static tooMany(detail: string): ScimError {
    return new ScimError(400, 'tooMany', detail);
  }

  static uniqueness(detail: string): ScimError {
    return new ScimError(409, 'uniqueness', detail);
  }

  /** No scimType: RFC 7644 reserves the keywords for 400s (and 409 uniqueness). */
  static notFound(detail: string): ScimError {
    return new ScimError(404, undefined, detail);
  }

  /** An endpoint RFC 7644 defines that this server does not offer (§3.11 /Me, §3.7 /Bulk). */
  static notImplemented(detail: string): ScimError {
    return new ScimError(501, undefined, detail);
  }
}

export function scimErrorBody(error: ScimError): ScimErrorBody {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType !== undefined ? { scimType: error.scimType } : {}),
    detail: error.detail,
  };
}
