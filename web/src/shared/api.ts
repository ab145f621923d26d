/** The REST API as the desktop calls it: same-origin cookie session, CSRF header on every write. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message);
  }
}

/** Called when the session has ended (401), so the shell can show the sign-in page. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  // The server refuses cookie-authenticated writes without it (src/http/http-config.ts, csrfHeaderName).
  if (method !== 'GET') headers['x-switchboard-csrf'] = '1';
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
      ?.error;
    if (response.status === 401 && !path.startsWith('/auth/login')) onUnauthorized();
    throw new ApiError(
      response.status,
      error?.code ?? 'error',
      error?.message ?? `${method} ${path} failed (${response.status})`,
      error?.details,
    );
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = (path: string) => api<void>('DELETE', path);

/** `?a=1&b=2` from the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (entries.length === 0) return '';
  return `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}

/** What `POST /uploads` answers: a same-origin path to pass as a reply attachment's `url`. */
export interface Upload {
  url: string;
  name: string;
  contentType: string;
  size: number;
}

/** Uploads one file (multipart; the browser sets the boundary) to attach to a reply. */
export async function upload(file: File): Promise<Upload> {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await fetch('/api/v1/uploads', {
    method: 'POST',
    headers: { accept: 'application/json', 'x-switchboard-csrf': '1' },
    credentials: 'same-origin',
    body: form,
  });
  const data = (await response.json().catch(() => undefined)) as
    | (Upload & { error?: { code?: string; message?: string } })
    | undefined;
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    throw new ApiError(
      response.status,
      data?.error?.code ?? 'error',
      data?.error?.message ?? `could not upload ${file.name} (${response.status})`,
      undefined,
    );
  }
  return data as Upload;
}
