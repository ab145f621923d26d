import { describe, expect, it } from 'vitest';
import { FeatureRows, FeatureRowsBuilder } from './feature-rows.ts';
import { type LearnedClass, LearnedModel } from './learned-view.ts';

/** A dense map of 2^16 features in which the features `at(0)`, `at(1)`, … `at(count - 1)` have a row. */
function dense(count: number, at: (i: number) => number): { map: Int32Array; count: number } {
  const map = new Int32Array(1 << 16).fill(-1);
  for (let i = 0; i < count; i++) map[at(i)] = i;
  return { map, count };
}

describe('FeatureRows', () => {
  for (const [what, features] of [
    ['few features (a table)', dense(600, (i) => 7 + i * 97)],
    // Low bits alike: they share a slot and the lookups must probe past each other.
    ['features that collide (a table)', dense(300, (i) => 1000 + i * 128)],
    ['many features (dense)', dense(20_000, (i) => i * 3)],
  ] as const) {
    it(`answers the dense map's row for every feature: ${what}`, () => {
      const rows = FeatureRows.of(features.map, features.count);
      for (let f = 0; f < features.map.length; f++) expect(rows.get(f)).toBe(features.map[f]);
    });
  }

  it('keeps a few features in a table far smaller than the hashed space', () => {
    const { map, count } = dense(60, (i) => i * 997);
    expect(FeatureRows.of(map, count).byteLength).toBeLessThan(4_000);
    const many = dense(30_000, (i) => i * 2);
    expect(FeatureRows.of(many.map, many.count).byteLength).toBe(many.map.byteLength);
  });
});

describe('FeatureRowsBuilder', () => {
  for (const count of [50, 5_000, 30_000]) {
    it(`numbers ${count} features in the order first seen, and its rows answer the same`, () => {
      const builder = new FeatureRowsBuilder(1 << 16);
      const expected = new Map<number, number>();
      for (let i = 0; i < count; i++) {
        const f = (i * 7919) % (1 << 16);
        expect(builder.rowOf(f)).toBe(i);
        expect(builder.rowOf(f)).toBe(i);
        expected.set(f, i);
      }
      const rows = builder.build();
      for (let f = 0; f < 1 << 16; f++) expect(rows.get(f)).toBe(expected.get(f) ?? -1);
    });
  }
});

describe('LearnedModel of a small knowledge base', () => {
  it('holds kilobytes, not the 4 MB of a dense 2^20 feature map, and ranks as before', async () => {
    const classes: LearnedClass[] = [
      { articleId: 'card', version: '1', texts: ['Card delivery', 'my card has not arrived'] },
      { articleId: 'refund', version: '1', texts: ['Refunds', 'I want my money back'] },
    ];
    const model = await LearnedModel.train(classes);
    expect(model.bytes).toBeLessThan(64 * 1024);
    expect(model.predict('my card never arrived', 1)[0]?.articleId).toBe('card');
    expect(model.predict('money back please', 1)[0]?.articleId).toBe('refund');
  });
});
