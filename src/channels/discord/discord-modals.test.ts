import { describe, expect, it } from 'vitest';
import { bugModal, parseBugReport, parseFeatureRequest } from './discord-modals.ts';

describe('bug and feature modals', () => {
  it('asks for title, what happened, steps, expected and platform/version, in the member language', () => {
    const modal = bugModal('ar');
    expect(modal.custom_id).toBe('sb:bug');
    expect(modal.title).toBe('الإبلاغ عن خطأ');
    expect(modal.components).toHaveLength(5);
  });

  it('trims fields, splits platform and version, and refuses blank or over-long fields', () => {
    const good = {
      title: ' Crash ',
      happened: 'It crashes',
      steps: '1. open',
      expected: 'no crash',
      platform: 'Android 14 / 2.1',
    };
    expect(parseBugReport(good)).toEqual({
      ok: true,
      value: {
        kind: 'bug',
        title: 'Crash',
        fields: {
          description: 'It crashes',
          steps: '1. open',
          expected: 'no crash',
          platform: 'Android 14',
          version: '2.1',
        },
      },
    });
    expect(parseBugReport({ ...good, platform: 'Web' })).toMatchObject({
      ok: true,
      value: { fields: { platform: 'Web' } },
    });
    expect(parseBugReport({ ...good, steps: '  ' })).toEqual({
      ok: false,
      error: { problem: 'empty', field: 'fieldSteps' },
    });
    expect(parseBugReport({ ...good, title: 'x'.repeat(101) })).toEqual({
      ok: false,
      error: { problem: 'too_long', field: 'fieldTitle', max: 100 },
    });
    expect(parseFeatureRequest({ title: 'Dark mode' })).toEqual({
      ok: false,
      error: { problem: 'empty', field: 'fieldDescription' },
    });
  });
});
