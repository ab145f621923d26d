import { randomBytes } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { type FileHandle, mkdir, open as openFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** An id: 128 random bits in base64url, so a link cannot be guessed. */
export const uploadIdPattern = /^[A-Za-z0-9_-]{22}$/;
/** A stored name: what `sanitiseFileName` produces; no separator, no leading dot, never `..` alone. */
export const uploadNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const contentTypePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;
/** Kept beside the file; its leading dot means no request can name it (see uploadNamePattern). */
const metaFile = '.meta.json';

export interface StoredUpload {
  id: string;
  name: string;
  contentType: string;
  size: number;
}

/**
 * A file name safe on any file system and in a URL and a header: the last path segment, letters, digits,
 * `.`, `_` and `-` only, at most 100 characters with the extension kept.
 */
export function sanitiseFileName(original: string): string {
  const clean = (part: string) =>
    part
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '_');
  const base = original.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? clean(base.slice(dot)).slice(0, 16) : '';
  // A name in a script we drop entirely (Arabic, say) still gets a name, and keeps its extension.
  const stem = clean(dot > 0 ? base.slice(0, dot) : base).replace(/^[._-]+/, '') || 'file';
  const name = stem.slice(0, 100 - ext.length) + (/^\.[A-Za-z0-9]/.test(ext) ? ext : '');
  return uploadNamePattern.test(name) ? name : 'file';
}

/** Files agents attach to replies: `<root>/<id>/<name>`, the id random, the name sanitised. */
export class UploadStore {
  constructor(readonly root: string) {}

  async save(originalName: string, contentType: string, data: Buffer): Promise<StoredUpload> {
    const id = randomBytes(16).toString('base64url');
    const name = sanitiseFileName(originalName);
    const type = contentTypePattern.test(contentType.toLowerCase())
      ? contentType.toLowerCase()
      : 'application/octet-stream';
    const dir = path.join(this.root, id);
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(path.join(dir, name), data, { flag: 'wx' });
      await writeFile(path.join(dir, metaFile), JSON.stringify({ contentType: type }));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return { id, name, contentType: type, size: data.length };
  }

  /**
   * The stored file, or undefined for an unknown or malformed id or name (never a path outside the root).
   * Any other file-system failure is the server's, not the request's: it is thrown, with the upload named.
   */
  async open(id: string, name: string): Promise<(StoredUpload & { stream: () => ReadStream }) | undefined> {
    if (!uploadIdPattern.test(id) || !uploadNamePattern.test(name)) return undefined;
    const dir = path.resolve(this.root, id);
    const file = path.resolve(dir, name);
    // Belt and braces: the patterns already rule out separators and `..`.
    if (path.dirname(file) !== dir || path.dirname(dir) !== path.resolve(this.root)) return undefined;
    let handle: FileHandle;
    try {
      handle = await openFile(file, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw uploadError(id, name, error);
    }
    try {
      // Opened before answering, so an unreadable file fails here (a 500) and not half-way through a 200.
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return undefined;
      }
      let contentType = 'application/octet-stream';
      let meta: string | undefined;
      try {
        meta = await readFile(path.join(dir, metaFile), 'utf8');
      } catch (error) {
        // No metadata: served as bytes. Metadata that is there but cannot be read is a failure.
        if (!isMissing(error)) throw error;
      }
      if (meta !== undefined) {
        const type = parseMeta(meta);
        if (type && contentTypePattern.test(type)) contentType = type;
      }
      return { id, name, contentType, size: info.size, stream: () => handle.createReadStream() };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw uploadError(id, name, error);
    }
  }
}

/** `ENOENT`: nothing by that id or name. Every other code (`EACCES`, `EIO`, `ELOOP`, …) is a failure. */
const isMissing = (error: unknown) => (error as { code?: unknown }).code === 'ENOENT';

const uploadError = (id: string, name: string, cause: unknown) =>
  new Error(`cannot read upload ${id}/${name}: ${(cause as Error).message ?? String(cause)}`, { cause });

/** The content type kept beside the file; a file that is not our JSON means "serve as bytes". */
function parseMeta(text: string): string | undefined {
  try {
    const meta = JSON.parse(text) as { contentType?: unknown } | null;
    return typeof meta?.contentType === 'string' ? meta.contentType : undefined;
  } catch {
    return undefined;
  }
}
