/**
 * Domain errors carry a stable machine code and a message that says what is wrong and how to fix it.
 * The global filter maps them to HTTP; services never throw HttpException themselves.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super(
      404,
      'not_found',
      `${what} "${id}" does not exist. Check the id, or list them with GET to see what exists.`,
    );
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown) {
    super(400, 'validation_failed', message, details);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

/** A stored delivery whose body the retention job removed: it can no longer be processed again. */
export class DeliveryPrunedError extends DomainError {
  constructor(id: string, prunedAt: Date) {
    super(
      409,
      'delivery_pruned',
      `Delivery ${id} cannot be processed again: its body was removed on ${prunedAt.toISOString()} after the ` +
        'retention period (DELIVERY_RETENTION_DAYS). Its events and clocks are kept; ask the helpdesk to send it again.',
    );
  }
}

/** A resource that something else still refers to: the message names what, and how to free it. */
export class InUseError extends DomainError {
  constructor(message: string, references: Record<string, number>) {
    super(409, 'in_use', message, { references });
  }
}

export class UnauthorizedError extends DomainError {
  constructor(code: string, message: string) {
    super(401, code, message);
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
  /** The request's id (also in the X-Request-Id header and the log lines about it). */
  requestId?: string;
  /** On a 500: the id to quote, the same as requestId. */
  correlationId?: string;
}

export class RateLimitedError extends DomainError {
  constructor(message: string) {
    super(429, 'rate_limited', message);
  }
}
