import { afterAll, describe, expect, it } from 'vitest';
import type { StoredArticleVector } from '../core/ports/article-vectors.ts';
import { KyselyArticleVectorRepository } from './article-vector-repository.ts';
import { openStore } from './kysely-store.ts';
import { sharedDatabases } from './test-support/shared-databases.ts';

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) console.log('Skipping the PostgreSQL article vector tests: TEST_DATABASE_URL is not set');
const databases = sharedDatabases(pgUrl, 'switchboard-vectors-');
afterAll(() => databases.drop());

/** A deterministic vector of `dimensions` values with fractions float32 keeps exactly and ones it rounds. */
const vectorOf = (seed: number, dimensions: number) =>
  Array.from({ length: dimensions }, (_, i) => Math.sin(seed * 31 + i) * (i % 2 ? 0.5 : 1 / 3));

const stored = (articleId: string, model: string, seed: number, dimensions = 768): StoredArticleVector => ({
  articleId,
  model,
  sourceHash: `hash-${seed}`,
  vector: vectorOf(seed, dimensions),
  updatedAt: `2026-01-0${(seed % 9) + 1}T00:00:00.000Z`,
});

/** Each value as float32 stores it: what a search compares. */
const asStored = (v: number[]) => Array.from(new Float32Array(v));

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !pgUrl)(`article vectors on ${engine}`, () => {
    const open = async () => {
      const store = await openStore({ url: await databases.url(engine) });
      return { store, vectors: new KyselyArticleVectorRepository({ db: store.db }) };
    };

    it('stores a vector with its article, model and text hash, and gives back the same values', async () => {
      const { store, vectors } = await open();
      try {
        await vectors.put(stored('a1', 'embed-small', 1));
        await vectors.put(stored('a2', 'embed-small', 2, 3));
        const [a1] = await vectors.getMany(['a1']);
        expect(a1?.model).toBe('embed-small');
        expect(a1?.sourceHash).toBe('hash-1');
        expect(a1?.vector).toHaveLength(768);
        expect(a1?.vector).toEqual(asStored(vectorOf(1, 768)));
        const [a2] = await vectors.getMany(['a2']);
        expect(a2?.vector).toEqual(asStored(vectorOf(2, 3)));
      } finally {
        await store.close();
      }
    });

    it('a changed article replaces its vector; another model and a deleted article are not listed', async () => {
      const { store, vectors } = await open();
      try {
        await vectors.put(stored('a1', 'embed-small', 1));
        await vectors.put(stored('a2', 'embed-small', 2));
        await vectors.put(stored('a3', 'embed-large', 3, 1024));
        // The article's text changed: a new hash, a new vector of other dimensions, in place.
        await vectors.put(stored('a1', 'embed-small', 4, 384));
        await vectors.delete('a2');
        await vectors.delete('missing');

        const small = await vectors.list('embed-small');
        expect(small.map((v) => [v.articleId, v.sourceHash, v.vector.length])).toEqual([
          ['a1', 'hash-4', 384],
        ]);
        expect(small[0]?.vector).toEqual(asStored(vectorOf(4, 384)));
        expect((await vectors.list('embed-large')).map((v) => v.articleId)).toEqual(['a3']);
        expect((await vectors.getMany(['a1', 'a2', 'a3'])).map((v) => v.articleId).sort()).toEqual([
          'a1',
          'a3',
        ]);
        expect(await vectors.getMany([])).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('vectors survive reopening the database', async () => {
      const url = await databases.url(engine);
      const first = await openStore({ url });
      await new KyselyArticleVectorRepository({ db: first.db }).put(stored('kept', 'embed-small', 7));
      await first.close();
      const second = await openStore({ url });
      try {
        const [kept] = await new KyselyArticleVectorRepository({ db: second.db }).list('embed-small');
        expect(kept?.articleId).toBe('kept');
        expect(kept?.vector).toEqual(asStored(vectorOf(7, 768)));
      } finally {
        await second.close();
      }
    });
  });
}
