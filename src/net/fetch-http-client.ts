import type { HttpClient, HttpRequest, HttpResponse } from '../core/ports/http-client.ts';

/** Flows' outbound HTTP over the platform fetch, with a hard timeout. */
export class FetchHttpClient implements HttpClient {
  async request(request: HttpRequest): Promise<HttpResponse> {
    const response = await fetch(request.url, {
      method: request.method,
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'follow',
      ...(request.body !== undefined
        ? { body: JSON.stringify(request.body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: response.status, body };
  }
}
