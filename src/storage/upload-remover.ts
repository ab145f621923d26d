import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Attachment } from '../core/model.ts';
import type { UploadRemover } from '../core/retention/retention-service.ts';
import { uploadIdPattern, uploadNamePattern } from './upload-store.ts';

/** `…/uploads/<id>/<name>` at the end of an attachment's URL (absolute with the public URL, or a path). */
const uploadUrl = /\/uploads\/([^/?#]+)\/([^/?#]+)$/;

/** Deletes agents' uploads from the upload store (`<root>/<id>/`); other URLs (a Discord CDN's) are not ours. */
export class UploadStoreRemover implements UploadRemover {
  constructor(private readonly root: string) {}

  async remove(attachment: Attachment): Promise<boolean> {
    const match = uploadUrl.exec(attachment.url);
    const [, id, name] = match ?? [];
    if (!id || !name || !uploadIdPattern.test(id) || !uploadNamePattern.test(name)) return false;
    const dir = path.join(this.root, id);
    try {
      await rm(dir, { recursive: true });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return false;
      throw error;
    }
  }
}
