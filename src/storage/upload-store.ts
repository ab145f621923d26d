import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

  /** The stored file, or undefined for an unknown or malformed id or name (never a path outside the root). */
  async open(id: string, name: string): Promise<(StoredUpload & { stream: () => ReadStream }) | undefined> {
    if (!uploadIdPattern.test(id) || !uploadNamePattern.test(name)) return undefined;
    const dir = path.resolve(this.root, id);
    const file = path.resolve(dir, name);
    // Belt and braces: the patterns already rule out separators and `..`.
    if (path.dirname(file) !== dir || path.dirname(dir) !== path.resolve(this.root)) return undefined;
    try {
      const info = await stat(file);
      if (!info.isFile()) return undefined;
      let contentType = 'application/octet-stream';
      try {
        const meta = JSON.parse(await readFile(path.join(dir, metaFile), 'utf8')) as {
          contentType?: unknown;
        };
        if (typeof meta.contentType === 'string' && contentTypePattern.test(meta.contentType))
          contentType = meta.contentType;
      } catch {
        // No metadata: served as bytes.
      }
      return { id, name, contentType, size: info.size, stream: () => createReadStream(file) };
    } catch {
      return undefined;
    }
  }
}
