import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UploadStore } from '../../storage/upload-store.ts';
import { HttpError } from '../error-handler.ts';
import type { ApiInstance } from './api-instance.ts';

/** Largest attachment an agent may upload (Discord's own limit for bots without boosts is 10 MiB). */
export const maxUploadBytes = 10 * 1024 * 1024;

/** Images a browser may show inline; anything else is downloaded, never rendered by us. */
const inlineImageTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export const uploadSchema = z
  .object({ url: z.string(), name: z.string(), contentType: z.string(), size: z.number().int() })
  .meta({ title: 'Upload' });

/**
 * `POST /uploads` under the API prefix. Multipart parsing lives in this scope only: no other route
 * accepts `multipart/form-data`.
 */
export async function uploadApiRoutes(app: ApiInstance, uploads: UploadStore): Promise<void> {
  await app.register(fastifyMultipart, {
    limits: { fileSize: maxUploadBytes, files: 1 },
    throwFileSizeLimit: true,
  });
  app.post(
    '/uploads',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Upload a file to attach to a reply (multipart/form-data, one file, up to 10 MiB)',
        consumes: ['multipart/form-data'],
        // For the OpenAPI document only: the multipart plugin leaves the body unset, the handler reads the stream.
        body: z.object({ file: z.string().meta({ format: 'binary', description: 'the file' }) }).optional(),
        response: { 201: uploadSchema },
      },
      config: { role: 'agent' },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new HttpError(400, 'invalid', 'send the file as multipart/form-data');
      const tooLarge = () =>
        new HttpError(
          413,
          'payload_too_large',
          `the file is larger than ${maxUploadBytes / 1024 / 1024} MiB`,
        );
      let data: Buffer;
      let filename: string;
      let mimetype: string;
      try {
        const part = await request.file();
        if (!part) throw new HttpError(400, 'invalid', 'no file in the request');
        filename = part.filename;
        mimetype = part.mimetype;
        data = await part.toBuffer();
        // The parser stops at the limit and flags the stream `truncated`; when the bytes past the limit
        // arrive in a chunk of their own, `toBuffer` returns the first `maxUploadBytes` without throwing.
        if (part.file.truncated) throw tooLarge();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
        if (code === 'FST_FILES_LIMIT')
          throw new HttpError(413, 'payload_too_large', 'send one file per request');
        throw error;
      }
      if (data.length === 0) throw new HttpError(400, 'invalid', 'the file is empty');
      const stored = await uploads.save(filename, mimetype, data);
      return reply.code(201).send({
        url: `/uploads/${stored.id}/${stored.name}`,
        name: stored.name,
        contentType: stored.contentType,
        size: stored.size,
      });
    },
  );
}

/**
 * `GET /uploads/:id/:name`, public: a contact on Discord or web chat opens the link with no session. The
 * random id is the capability. Served so that it can never run in our origin: nosniff, a sandboxing CSP,
 * and a download for anything but plain raster images.
 */
export function uploadFileRoutes(app: FastifyInstance, uploads: UploadStore): void {
  app.get<{ Params: { id: string; name: string } }>(
    '/uploads/:id/:name',
    { config: { role: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const { id, name } = request.params;
      const file = await uploads.open(id, name);
      if (!file) throw new HttpError(404, 'not_found', 'no such upload');
      const inline = inlineImageTypes.has(file.contentType);
      return reply
        .header('content-type', inline ? file.contentType : 'application/octet-stream')
        .header('content-length', String(file.size))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${file.name}"`)
        .header('cache-control', 'private, max-age=86400')
        .send(file.stream());
    },
  );
}
