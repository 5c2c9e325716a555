/** A receiver's answer that another attempt will not change (HTTP 4xx other than 408/429, SMTP 5xx). */
export class PermanentSendError extends Error {}

/** A receiver that asked to be called again later (429 with Retry-After): the next attempt waits that long. */
export class RetryAfterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}
