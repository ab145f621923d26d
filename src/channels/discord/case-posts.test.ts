import { describe, expect, it } from 'vitest';
import type { Case } from '../../core/model.ts';
import { casePostBody } from './case-posts.ts';

const kase = (over: Partial<Case> = {}): Case => ({
  id: 'c1',
  number: 1042,
  kind: 'feature',
  status: 'new',
  priority: 'normal',
  subject: 'Dark mode',
  contactId: 'k1',
  assigneeId: null,
  tags: [],
  fields: { description: 'Too bright at night' },
  rating: null,
  votes: 3,
  openedBy: null,
  postUrl: null,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
  ...over,
});

const context = { language: 'en', reporterId: '42', similar: [], original: null };
const fieldsOf = (body: ReturnType<typeof casePostBody>) =>
  Object.fromEntries((body.embeds?.[0]?.fields ?? []).map((f) => [f.name, f.value]));

describe('case posts', () => {
  it("shows a feature request's stage, its Upvote count, and a bug's Me too", () => {
    const planned = casePostBody(kase({ status: 'open', fields: { stage: 'in_progress' } }), context);
    expect(fieldsOf(planned)).toMatchObject({ Status: 'in progress', 'Reported by': '<@42>' });
    expect(JSON.stringify(planned.components)).toContain('Upvote (3)');
    const bug = casePostBody(kase({ kind: 'bug', votes: 2 }), context);
    expect(fieldsOf(bug).Status).toBeUndefined();
    expect(JSON.stringify(bug.components)).toContain('Me too (2)');
    expect(bug.allowed_mentions).toEqual({ parse: [] });
  });

  it('points a duplicate to its original, without a button, and names what fixed a case', () => {
    const duplicate = casePostBody(kase({ status: 'closed', fields: { duplicateOf: '1001' } }), {
      ...context,
      original: { number: 1001, postUrl: 'https://discord.com/channels/1/2/3' },
    });
    expect(fieldsOf(duplicate)).toMatchObject({
      Status: 'closed',
      'Duplicate of': '[#1001](https://discord.com/channels/1/2/3)',
    });
    expect(duplicate.components).toEqual([]);
    const fixed = casePostBody(
      kase({ status: 'solved', fields: { fixedIn: 'Version [2]', fixedInUrl: 'https://acme.test/2' } }),
      context,
    );
    expect(fieldsOf(fixed)['Fixed in']).toBe('[Version 2](https://acme.test/2)');
  });
});
