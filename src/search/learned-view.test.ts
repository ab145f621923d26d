import { describe, expect, it } from 'vitest';
import { type LearnedClass, LearnedModel } from './learned-view.ts';

const classes: LearnedClass[] = [
  {
    articleId: 'card',
    version: '1',
    texts: ['Card delivery', 'my card has not arrived', 'when will my card come'],
  },
  { articleId: 'refund', version: '1', texts: ['Refunds', 'I want my money back', 'refund for my order'] },
  { articleId: 'password', version: '1', texts: ['Reset your password', 'I forgot my password'] },
  {
    articleId: 'hours',
    version: '1',
    texts: ['Opening hours', 'when are you open', 'what time do you close'],
  },
  {
    articleId: 'fees',
    version: '1',
    texts: ['Fees', 'why was I charged a fee', 'extra charge on my statement'],
  },
];

describe('LearnedModel.predict', () => {
  for (const kind of ['dense', 'sparse'] as const) {
    it(`ranks every article once, most probable first (${kind} model)`, async () => {
      const model = await LearnedModel.train(classes, kind === 'sparse' ? { maxDenseWeights: 0 } : {});
      expect(model.kind).toBe(kind);
      expect(model.predict('my card never arrived', 1)[0]?.articleId).toBe('card');
      expect(model.predict('I forgot the password', 2)[0]?.articleId).toBe('password');
      // More than the articles a question's features reach: the others follow, each once.
      const all = model.predict('when will my card come', 10);
      expect(all.map((p) => p.articleId).sort()).toEqual(classes.map((c) => c.articleId).sort());
      for (let i = 1; i < all.length; i++)
        expect(all[i]?.probability ?? 0).toBeLessThanOrEqual(all[i - 1]?.probability ?? 0);
      // Every word known: the probabilities are a softmax and sum to one.
      expect(all.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 9);
      expect(model.predict('zzzz qqqq', 3).every((p) => p.probability === 0)).toBe(true);
    });
  }
});
