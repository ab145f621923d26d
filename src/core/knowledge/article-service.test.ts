import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.ts';
import { Bm25SearchIndex } from '../../search/bm25-search-index.ts';
import { openStore } from '../../storage/kysely-store.ts';
import { ManualClock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import { ArticleService } from './article-service.ts';

/** Two instances on one database: `here` follows what `elsewhere` writes through the change log. */
describe('ArticleService following the change log', () => {
  let store: Store;
  let here: ArticleService;
  let elsewhere: ArticleService;
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  const found = async (service: ArticleService, q: string) =>
    (await service.search(q, 1)).map((r) => r.article.id);

  beforeEach(async () => {
    store = await openStore({ url: ':memory:' });
    here = new ArticleService(store, new Bm25SearchIndex(), clock, { batchSize: 2, keepChanges: 3 });
    elsewhere = new ArticleService(store, new Bm25SearchIndex(), clock);
    await here.reindex();
  });
  afterEach(async () => {
    await here.stopSync();
    await store.close();
  });

  it('applies only what changed elsewhere, in batches, deletions included', async () => {
    await elsewhere.create({ id: 'voucher', title: 'Gift vouchers', examples: ['pay with a voucher'] });
    for (const n of [1, 2, 3]) await elsewhere.create({ id: `other-${n}`, title: `Shipping to zone ${n}` });
    expect(await found(here, 'pay with a voucher')).toEqual([]);
    expect(await here.catchUp()).toBe(4);
    expect(await found(here, 'pay with a voucher')).toEqual(['voucher']);
    expect(await here.catchUp()).toBe(0);

    await elsewhere.update('voucher', { examples: ['redeem a coupon'] });
    await here.catchUp();
    expect(await found(here, 'redeem a coupon')).toEqual(['voucher']);

    await elsewhere.delete('voucher');
    await here.catchUp();
    expect(await found(here, 'redeem a coupon')).toEqual([]);
  });

  it('rebuilds the whole index when the log no longer reaches back to what it applied', async () => {
    const behind = new ArticleService(store, new Bm25SearchIndex(), clock);
    await behind.reindex();
    for (const n of [1, 2, 3, 4, 5, 6, 7])
      await elsewhere.create({ id: `a-${n}`, title: `Topic number ${n}` });
    await elsewhere.create({ id: 'voucher', title: 'Gift vouchers', examples: ['pay with a voucher'] });
    // `here` keeps 3 changes: catching up trims the log past what `behind` has applied.
    await here.catchUp();
    expect((await store.articles.changeLogBounds()).first).toBeGreaterThan(1);
    expect(await behind.catchUp()).toBeGreaterThan(0);
    expect(await found(behind, 'pay with a voucher')).toEqual(['voucher']);
  });

  it('follows on its own once started, until stopped', async () => {
    const following = new ArticleService(store, new Bm25SearchIndex(), clock, { intervalMs: 20 });
    await following.reindex();
    const errors: unknown[] = [];
    following.startSync((error) => errors.push(error));
    try {
      await elsewhere.create({ id: 'voucher', title: 'Gift vouchers', examples: ['pay with a voucher'] });
      await eventually('the article found without a catch-up call', async () =>
        (await found(following, 'pay with a voucher')).includes('voucher'),
      );
    } finally {
      await following.stopSync();
    }
    expect(errors).toEqual([]);
  });
});
