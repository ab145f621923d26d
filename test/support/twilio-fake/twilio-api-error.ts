/** An error answer in Twilio's shape: `{ code, message, more_info, status }` (what the SDK's RestException reads). */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): { code: number; message: string; more_info: string; status: number } {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }
}

export const notFound = (path: string): TwilioApiError =>
  new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);

/** Twilio answers a missing or malformed parameter with 400 and code 20001 (or a more specific code). */
export const invalid = (message: string, code = 20001): TwilioApiError =>
  new TwilioApiError(400, code, message);

/** What the fault controls answer with, per status. */
export function faultError(status: number, retryAfterSeconds?: number): TwilioApiError {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  switch (status) {
    case 401:
      return new TwilioApiError(401, 20003, 'Authenticate', {
        ...headers,
        'www-authenticate': 'Basic realm="Twilio API"',
      });
    case 403:
      return new TwilioApiError(403, 20403, 'Forbidden', headers);
    case 429:
      return new TwilioApiError(429, 20429, 'Too Many Requests', headers);
    case 503:
      return new TwilioApiError(503, 20503, 'Service Unavailable', headers);
    default:
      return new TwilioApiError(status, 20500, 'Internal Server Error', headers);
  }
}
