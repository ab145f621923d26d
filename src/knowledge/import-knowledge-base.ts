import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import matter from 'gray-matter';
import { z } from 'zod';
import type { ArticleInput, ArticleService } from '../core/knowledge/article-service.ts';

/** Front matter of a knowledge-base Markdown file; everything is optional but the body. */
const frontMatter = z.object({
  id: z
    .string()
    .regex(/^[\w-]{1,120}$/, 'letters, digits, - and _ only')
    .optional(),
  title: z.string().min(1).max(300).optional(),
  tags: z.array(z.string()).optional(),
  locale: z.string().optional(),
  published: z.boolean().optional(),
  examples: z.array(z.string()).optional(),
});

export interface ImportResult {
  created: number;
  updated: number;
  failed: { file: string; reason: string }[];
}

/** Reads one Markdown file into an article; the id defaults to the file's path, so re-imports update in place. */
export function parseArticleFile(relativePath: string, text: string): ArticleInput & { id: string } {
  const parsed = matter(text);
  const meta = frontMatter.safeParse(parsed.data ?? {});
  if (!meta.success) {
    throw new Error(
      meta.error.issues.map((i) => `${i.path.join('.') || 'front matter'}: ${i.message}`).join('; '),
    );
  }
  let body = parsed.content.trim();
  let title = meta.data.title;
  const heading = /^#\s+(.+)\n?/.exec(body);
  if (!title && heading) {
    title = heading[1]!.trim();
    body = body.slice(heading[0].length).trim();
  }
  const base = relativePath.replace(/\.md$/i, '');
  const id =
    meta.data.id ??
    base
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 120);
  return {
    id,
    title: title ?? path.basename(base).replace(/[-_]+/g, ' '),
    body,
    ...(meta.data.tags ? { tags: meta.data.tags } : {}),
    ...(meta.data.locale ? { locale: meta.data.locale } : {}),
    ...(meta.data.published !== undefined ? { published: meta.data.published } : {}),
    ...(meta.data.examples ? { examples: meta.data.examples } : {}),
  };
}

async function markdownFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.md$/i.test(e.name))
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)))
    .sort();
}

/**
 * Imports every Markdown file under `folder`. A file that cannot be read or parsed is reported and
 * skipped; the others are imported. `onProgress` is called after each file.
 */
export async function importKnowledgeBase(
  folder: string,
  articles: Pick<ArticleService, 'upsert'>,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ImportResult> {
  const files = await markdownFiles(folder);
  const result: ImportResult = { created: 0, updated: 0, failed: [] };
  for (const [i, file] of files.entries()) {
    try {
      const input = parseArticleFile(file, await readFile(path.join(folder, file), 'utf8'));
      const { created } = await articles.upsert(input);
      if (created) result.created += 1;
      else result.updated += 1;
    } catch (error) {
      result.failed.push({ file, reason: error instanceof Error ? error.message : String(error) });
    }
    onProgress(i + 1, files.length);
  }
  return result;
}
