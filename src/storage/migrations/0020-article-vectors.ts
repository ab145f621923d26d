import type { Kysely } from 'kysely';

/**
 * Article vectors for hybrid retrieval (with an embeddings model configured): one per article, with
 * the model and a hash of the embedded text, so that a change of either recomputes it. Stored as text
 * (base64 of float32) on both engines; the search compares them in process.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables the typed schema does not know yet
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('article_vectors')
    .addColumn('article_id', 'text', (c) => c.primaryKey())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('source_hash', 'text', (c) => c.notNull())
    .addColumn('dimensions', 'integer', (c) => c.notNull())
    .addColumn('vector', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('article_vectors').execute();
}
