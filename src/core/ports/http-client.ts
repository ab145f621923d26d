/** Outbound HTTP for flows' `http-request` state; implemented with fetch outside the core. */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: unknown;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON when the response was JSON, else the text. */
  body: unknown;
}

export interface HttpClient {
  /** Rejects on network failure or timeout. */
  request(request: HttpRequest): Promise<HttpResponse>;
}
