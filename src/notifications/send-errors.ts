/** A receiver's answer that another attempt will not change (HTTP 4xx other than 408/429, SMTP 5xx). */
export class PermanentSendError extends Error {}
