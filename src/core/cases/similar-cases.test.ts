import { describe, expect, it } from 'vitest';
import type { Case } from '../model.ts';
import { contentWords, similarCases } from './similar-cases.ts';

let n = 1000;
const feature = (subject: string, description = '', votes = 0): Case => ({
  id: `c${++n}`,
  number: n,
  kind: 'feature',
  status: 'new',
  priority: 'normal',
  subject,
  contactId: null,
  assigneeId: null,
  tags: [],
  fields: description ? { description } : {},
  rating: null,
  votes,
  openedBy: { kind: 'contact', id: null },
  postUrl: null,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
});

describe('similarCases', () => {
  const existing = [
    feature('Dark mode for the mobile app', 'The app is too bright at night'),
    feature('Export my orders as CSV', 'I need a spreadsheet of all orders'),
    feature('Dark theme on the website', 'Night mode for the web dashboard', 5),
    feature('Two-factor authentication', 'Login with an authenticator app'),
    feature('Gift cards'),
  ];

  it('lists up to three similar requests, best first', () => {
    const found = similarCases(
      { subject: 'Please add dark mode', description: 'too bright at night' },
      existing,
    );
    expect(found.map((s) => s.case.subject)).toEqual([
      'Dark mode for the mobile app',
      'Dark theme on the website',
    ]);
    expect(found[0]?.score).toBeGreaterThan(found[1]?.score ?? 1);
  });

  it('ignores words that say nothing about the request', () => {
    expect(similarCases({ subject: 'I would like a new feature please' }, existing)).toEqual([]);
    expect(contentWords('Please add the ability to export orders')).toEqual(['export', 'order']);
  });

  it('returns at most the limit', () => {
    const many = Array.from({ length: 6 }, (_, i) => feature(`Export orders ${i}`));
    expect(similarCases({ subject: 'export orders' }, many)).toHaveLength(3);
    expect(similarCases({ subject: 'export orders' }, many, { limit: 1 })).toHaveLength(1);
  });

  it('matches Arabic requests', () => {
    const arabic = [feature('الوضع الليلي في التطبيق'), feature('تصدير الطلبات')];
    const found = similarCases({ subject: 'أريد الوضع الليلي' }, arabic);
    expect(found.map((s) => s.case.subject)).toEqual(['الوضع الليلي في التطبيق']);
  });
});
