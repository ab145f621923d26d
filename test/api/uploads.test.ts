import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxUploadBytes } from '../../src/http/routes/upload-routes.ts';
import { eventually } from '../support/eventually.ts';
import { type Api, type Caller, startApi } from './api-harness.ts';

/** Attachments: `POST /api/v1/uploads` for agents, `GET /uploads/:id/:name` for anyone with the link. */
describe('uploads over HTTP', () => {
  let api: Api;
  let ana: Caller;
  let uploadDir: string;

  beforeAll(async () => {
    uploadDir = await mkdtemp(path.join(tmpdir(), 'switchboard-uploads-'));
    api = await startApi({
      build: { uploadDir },
      config: { publicUrl: 'https://support.example.com' },
    });
    ana = await api.signIn('ana@example.com', 'agent');
  });
  afterAll(async () => {
    await api.close();
    await rm(uploadDir, { recursive: true, force: true });
  });

  const form = (parts: { name: string; type: string; data: BlobPart; field?: string }[]) => {
    const body = new FormData();
    for (const p of parts) body.append(p.field ?? 'file', new Blob([p.data], { type: p.type }), p.name);
    return body;
  };
  const uploadAs = (body: BodyInit, headers: Record<string, string> = {}) =>
    api.fetch('/api/v1/uploads', {
      method: 'POST',
      headers: { cookie: ana.cookie, 'x-switchboard-csrf': '1', ...headers },
      body,
    });
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; message: string } }).error;

  it('stores a file and answers with its same-origin link', async () => {
    const res = await uploadAs(form([{ name: 'notes.txt', type: 'text/plain', data: 'hello, world' }]));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ name: 'notes.txt', contentType: 'text/plain', size: 12 });
    expect(body.url).toMatch(/^\/uploads\/[A-Za-z0-9_-]{22}\/notes\.txt$/);
    const [, , id] = (body.url as string).split('/');
    expect(await readdir(path.join(uploadDir, id!))).toContain('notes.txt');
  });

  it('serves a non-image as a download that cannot run in the origin, to anyone', async () => {
    const html = '<script>alert(1)</script>';
    const up = await (await uploadAs(form([{ name: 'page.html', type: 'text/html', data: html }]))).json();
    const res = await api.fetch(up.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="page.html"');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(await res.text()).toBe(html);
  });

  it('serves an image inline with its own type', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const up = await (await uploadAs(form([{ name: 'shot.png', type: 'image/png', data: png }]))).json();
    const res = await api.fetch(up.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toMatch(/^inline/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);
  });

  it('an SVG is not an inline image: it can carry script', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const up = await (await uploadAs(form([{ name: 'x.svg', type: 'image/svg+xml', data: svg }]))).json();
    const res = await api.fetch(up.url);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('accepts a file larger than the JSON body limit', async () => {
    const data = new Uint8Array(3 * 1024 * 1024).fill(7);
    const res = await uploadAs(form([{ name: 'dump.bin', type: 'application/octet-stream', data }]));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.size).toBe(data.length);
    const download = await api.fetch(body.url);
    expect(download.headers.get('content-length')).toBe(String(data.length));
    // Compared as one buffer: an element-by-element deep equality of megabytes is needlessly slow.
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);
  });

  it('sanitises an unsafe file name', async () => {
    const res = await uploadAs(form([{ name: '../../etc/pass wd<x>.txt', type: 'text/plain', data: 'x' }]));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.name).toBe('pass_wd_x_.txt');
    expect((await api.fetch(body.url)).status).toBe(200);
    const dotted = await (await uploadAs(form([{ name: '..', type: 'text/plain', data: 'x' }]))).json();
    expect(dotted.name).toBe('file');
    const arabic = await (
      await uploadAs(form([{ name: 'تقرير.pdf', type: 'application/pdf', data: 'x' }]))
    ).json();
    expect(arabic.name).toBe('file.pdf');
  });

  it('refuses a signed-out caller (401) and a cross-site form post (403)', async () => {
    const anonymous = await api.fetch('/api/v1/uploads', {
      method: 'POST',
      body: form([{ name: 'a.txt', type: 'text/plain', data: 'a' }]),
    });
    expect(anonymous.status).toBe(401);
    const crossSite = await api.fetch('/api/v1/uploads', {
      method: 'POST',
      headers: { cookie: ana.cookie, origin: 'https://evil.example' },
      body: form([{ name: 'a.txt', type: 'text/plain', data: 'a' }]),
    });
    expect(crossSite.status).toBe(403);
    expect((await errorOf(crossSite)).code).toBe('csrf');
  });

  it('refuses bad input with a clear 400 or 413', async () => {
    const notMultipart = await ana.call('POST', '/api/v1/uploads', { file: 'x' });
    expect(notMultipart.status).toBe(400);
    expect((await errorOf(notMultipart)).message).toMatch(/multipart/);

    const noFile = new FormData();
    noFile.append('note', 'just text');
    const none = await uploadAs(noFile);
    expect(none.status).toBe(400);
    expect((await errorOf(none)).message).toMatch(/no file/);

    const empty = await uploadAs(form([{ name: 'empty.txt', type: 'text/plain', data: '' }]));
    expect(empty.status).toBe(400);
    expect((await errorOf(empty)).message).toMatch(/empty/);

    const big = await uploadAs(
      form([{ name: 'big.bin', type: 'application/octet-stream', data: new Uint8Array(maxUploadBytes + 1) }]),
    );
    expect(big.status).toBe(413);
    expect(await errorOf(big)).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/10 MiB/),
    });
  });

  it('never stores a file one byte over the limit, however the bytes arrive', async () => {
    const before = new Set(await readdir(uploadDir));
    // Twenty times: where the last byte falls in the network's chunks differs from one request to the next.
    const data = new Uint8Array(maxUploadBytes + 1).fill(1);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await uploadAs(form([{ name: `over-${i}.bin`, type: 'application/octet-stream', data }]));
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual(Array(20).fill(413));
    const after = (await readdir(uploadDir)).filter((entry) => !before.has(entry));
    expect(after).toEqual([]);
  });

  it('refuses the byte past the limit when it arrives in a chunk of its own', async () => {
    // The case the loop above meets only by chance, made certain: the same request fed to the parser in
    // two chunks, the second holding only the one byte too many and the closing boundary.
    const boundary = 'switchboard-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="edge.bin"\r\n` +
        'content-type: application/octet-stream\r\n\r\n',
    );
    const chunks = [
      Buffer.concat([head, Buffer.alloc(maxUploadBytes, 2)]),
      Buffer.from(`\x02\r\n--${boundary}--\r\n`),
    ];
    const before = new Set(await readdir(uploadDir));
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: {
        cookie: ana.cookie,
        'x-switchboard-csrf': '1',
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(chunks[0]!.length + chunks[1]!.length),
      },
      payload: Readable.from(chunks),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect((await readdir(uploadDir)).filter((entry) => !before.has(entry))).toEqual([]);
  });

  it('stores a file of exactly the limit, every byte intact', async () => {
    const data = new Uint8Array(maxUploadBytes);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    const res = await uploadAs(form([{ name: 'exact.bin', type: 'application/octet-stream', data }]));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.size).toBe(maxUploadBytes);
    const download = await api.fetch(body.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);
  });

  it('refuses path traversal and malformed ids or names', async () => {
    const up = await (await uploadAs(form([{ name: 'ok.txt', type: 'text/plain', data: 'ok' }]))).json();
    const [, , id] = (up.url as string).split('/');
    for (const attempt of [
      `/uploads/${id}/..%2F..%2Fpackage.json`,
      `/uploads/${id}/%2e%2e`,
      `/uploads/%2e%2e/${'a'.repeat(22)}`,
      `/uploads/..%2F..%2F..%2Fetc/passwd`,
      `/uploads/${id}/.meta.json`,
      `/uploads/${id}/ok.txt%00.png`,
      `/uploads/${'A'.repeat(22)}/ok.txt`,
    ]) {
      const res = await api.fetch(attempt);
      expect(res.status, attempt).toBe(404);
      expect((await errorOf(res)).code, attempt).toBe('not_found');
    }
  });

  it('is in the OpenAPI document; the download route is not', async () => {
    const doc = await (await api.fetch('/api/openapi.json')).json();
    const post = doc.paths['/api/v1/uploads'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(post.responses['201']).toBeDefined();
    expect(doc.paths['/uploads/{id}/{name}']).toBeUndefined();
  });

  it("an agent's reply carries the upload as an absolute link on the public URL", async () => {
    await ana.call('PUT', `/api/v1/agents/${ana.agent.id}/presence`, { presence: 'available' });
    await api.tc.connector.receive({ text: 'I want to talk to a human please', from: 'member-9' });
    const reservation = await eventually('an offer for Ana', async () => {
      const list = await (await ana.call('GET', '/api/v1/reservations?status=pending')).json();
      return list.reservations[0] as { id: string; conversationId: string } | undefined;
    });
    expect((await ana.call('POST', `/api/v1/reservations/${reservation.id}/accept`)).status).toBe(200);

    const up = await (await uploadAs(form([{ name: 'log.txt', type: 'text/plain', data: 'log' }]))).json();
    const res = await ana.call('POST', `/api/v1/conversations/${reservation.conversationId}/messages`, {
      text: '',
      attachments: [{ url: up.url, name: up.name, contentType: up.contentType }],
    });
    expect(res.status).toBe(201);
    const message = await res.json();
    expect(message.attachments).toEqual([
      { url: `https://support.example.com${up.url}`, name: 'log.txt', contentType: 'text/plain' },
    ]);
    // Any other relative path is still refused.
    const other = await ana.call('POST', `/api/v1/conversations/${reservation.conversationId}/messages`, {
      attachments: [{ url: '/api/v1/agents', name: 'x' }],
    });
    expect(other.status).toBe(400);
  });
});

describe('uploads when the upload folder fails', () => {
  it('answers 500 (not "no such upload") and logs the failure with the upload named', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-uploads-broken-'));
    const uploadDir = path.join(dataDir, 'uploads');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const api = await startApi({ build: { uploadDir, logger: pino({ level: 'error' }, sink) } });
    try {
      const ana = await api.signIn('ana@example.com', 'agent');
      const body = new FormData();
      body.append('file', new Blob(['kept'], { type: 'text/plain' }), 'kept.txt');
      const up = await (
        await api.fetch('/api/v1/uploads', {
          method: 'POST',
          headers: { cookie: ana.cookie, 'x-switchboard-csrf': '1' },
          body,
        })
      ).json();
      expect((await api.fetch(up.url)).status).toBe(200);
      const [, , id] = (up.url as string).split('/');
      // The folder turned into a link to itself (a broken mount, a bad restore): every read fails with ELOOP,
      // which no permission bit can stage for a test that may run as root.
      await rm(uploadDir, { recursive: true });
      await symlink(uploadDir, uploadDir);

      const res = await api.fetch(up.url);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal');
      const log = lines.join('');
      expect(log).toContain(`cannot read upload ${id}/kept.txt`);
      expect(log).toContain('ELOOP');
      // An id that is simply not there is still a 404, without an error in the log.
      await rm(uploadDir);
      lines.length = 0;
      expect((await api.fetch(`/uploads/${'B'.repeat(22)}/kept.txt`)).status).toBe(404);
      expect(lines.join('')).toBe('');
    } finally {
      await api.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
