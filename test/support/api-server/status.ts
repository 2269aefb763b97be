import type { JsonObject } from './json.ts';

/**
 * Kubernetes `Status` objects and the error that carries one. Reasons, codes
 * and message shapes follow k8s.io/apimachinery's `errors` package, because
 * clients branch on them (`reason: Conflict`, `code: 410`, ...).
 */

export const StatusReason = {
  BadRequest: 'BadRequest',
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  Invalid: 'Invalid',
  Expired: 'Expired',
  Gone: 'Gone',
  MethodNotAllowed: 'MethodNotAllowed',
  NotAcceptable: 'NotAcceptable',
  UnsupportedMediaType: 'UnsupportedMediaType',
  TooManyRequests: 'TooManyRequests',
  InternalError: 'InternalError',
  ServiceUnavailable: 'ServiceUnavailable',
  Timeout: 'Timeout',
  Forbidden: 'Forbidden',
  Unknown: '',
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

/** Which resource an error is about: `services`, or `leases.coordination.k8s.io`. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/** An error answered to the client as a Status object with an HTTP code. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): JsonObject {
    const status: JsonObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) {
      const details: JsonObject = {};
      if (this.details.name !== undefined) details.name = this.details.name;
      if (this.details.group !== undefined && this.details.group !== '') {
        details.group = this.details.group;
      }
      if (this.details.kind !== undefined) details.kind = this.details.kind;
      if (this.details.causes !== undefined) {
        details.causes = this.details.causes.map((c) => ({
          reason: c.reason,
          message: c.message,
          field: c.field,
        }));
      }
      if (this.details.retryAfterSeconds !== undefined) {
        details.retryAfterSeconds = this.details.retryAfterSeconds;
      }
      status.details = details;
    }
    return status;
  }
}

export function successStatus(details?: JsonObject): JsonObject {
  const status: JsonObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  if (details !== undefined) status.details = details;
  return status;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, StatusReason.NotFound, `${qualifiedResource(gr)} "${name}" not found`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

/** A path that names no resource at all (the real server's plain 404). */
export function pathNotFound(): ApiError {
  return new ApiError(
    404,
    StatusReason.NotFound,
    'the server could not find the requested resource',
    {},
  );
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    409,
    StatusReason.AlreadyExists,
    `${qualifiedResource(gr)} "${name}" already exists`,
    { name, group: gr.group, kind: gr.resource },
  );
}

export function conflict(gr: GroupResource, name: string, why: string): ApiError {
  return new ApiError(
    409,
    StatusReason.Conflict,
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
    { name, group: gr.group, kind: gr.resource },
  );
}

export const STALE_OBJECT_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

/** One field problem of a 422 Invalid answer. */
export interface FieldError {
  readonly type:
    | 'FieldValueInvalid'
    | 'FieldValueRequired'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueTypeInvalid'
    | 'FieldValueDuplicate'
    | 'FieldValueTooLong';
  readonly field: string;
  /** The message after the field path, e.g. `Invalid value: "x": must be ...`. */
  readonly detail: string;
}

export function invalid(
  group: string,
  kind: string,
  name: string,
  errors: readonly FieldError[],
): ApiError {
  const parts = errors.map((e) => `${e.field}: ${e.detail}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  return new ApiError(
    422,
    StatusReason.Invalid,
    `${qualifiedKind} "${name}" is invalid: ${summary}`,
    {
      name,
      group,
      kind,
      causes: errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
    },
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, StatusReason.BadRequest, message);
}

export function expired(message: string): ApiError {
  return new ApiError(410, StatusReason.Expired, message);
}

export function methodNotSupported(gr: GroupResource, action: string): ApiError {
  return new ApiError(
    405,
    StatusReason.MethodNotAllowed,
    `${action} is not supported on resources of kind "${qualifiedResource(gr)}"`,
    { group: gr.group, kind: gr.resource },
  );
}

export function unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
  return new ApiError(
    415,
    StatusReason.UnsupportedMediaType,
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { kind: contentType },
  );
}

export function internalError(message: string): ApiError {
  return new ApiError(500, StatusReason.InternalError, `Internal error occurred: ${message}`, {
    causes: [{ reason: '', message, field: '' }],
  });
}

/** The reason the real server uses for a bare HTTP code (for injected faults). */
export function reasonForCode(code: number): StatusReason {
  switch (code) {
    case 400:
      return StatusReason.BadRequest;
    case 403:
      return StatusReason.Forbidden;
    case 404:
      return StatusReason.NotFound;
    case 405:
      return StatusReason.MethodNotAllowed;
    case 406:
      return StatusReason.NotAcceptable;
    case 409:
      return StatusReason.Conflict;
    case 410:
      return StatusReason.Expired;
    case 415:
      return StatusReason.UnsupportedMediaType;
    case 422:
      return StatusReason.Invalid;
    case 429:
      return StatusReason.TooManyRequests;
    case 500:
      return StatusReason.InternalError;
    case 503:
      return StatusReason.ServiceUnavailable;
    case 504:
      return StatusReason.Timeout;
    default:
      return StatusReason.Unknown;
  }
}
