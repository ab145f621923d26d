import { describe, expect, it } from 'vitest';
import { defaultFlowDefinition } from './default-flow.ts';
import { validateFlow } from './validate-flow.ts';

describe('validateFlow', () => {
  it('accepts the default flow', () => {
    expect(validateFlow(defaultFlowDefinition)).toEqual([]);
  });

  it('refers every problem to its place in the document', () => {
    const problems = validateFlow({
      initial: 'start',
      states: [
        { name: 'start', type: 'trigger', next: 'nowhere' },
        {
          name: 'route',
          type: 'split',
          conditions: [{ subject: 'message.mood', operator: 'equals', value: 'x', next: 'start' }],
        },
        { name: 'route', type: 'teleport' },
        { name: 'q', type: 'send-to-queue', queue: '  ' },
        { name: 'say', type: 'send-message', text: '' },
        { name: 'call', type: 'http-request', url: 'ftp://example' },
        { name: 'case', type: 'create-case', kind: 'complaint' },
      ],
    });
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'states[0].next',
        'states[1].conditions[0].subject',
        'states[2].name',
        'states[2].type',
        'states[3].queue',
        'states[4].text',
        'states[5].url',
        'states[6].kind',
      ]),
    );
    expect(problems.find((p) => p.path === 'states[0].next')?.message).toContain('unknown state "nowhere"');
  });

  it('requires the initial state to be a trigger', () => {
    const problems = validateFlow({
      initial: 'say',
      states: [{ name: 'say', type: 'send-message', text: 'hi' }],
    });
    expect(problems).toEqual([{ path: 'initial', message: 'the initial state must be a trigger' }]);
  });

  it('refuses what is not a flow at all', () => {
    expect(validateFlow(null)[0]?.message).toContain('JSON object');
    expect(validateFlow({ initial: 'x', states: [] })[0]?.path).toBe('states');
  });

  it('refuses an invalid regular expression in a split', () => {
    const problems = validateFlow({
      initial: 't',
      states: [
        { name: 't', type: 'trigger', next: 's' },
        {
          name: 's',
          type: 'split',
          conditions: [{ subject: 'message.text', operator: 'matches', value: '([', next: 't' }],
        },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual(['states[1].conditions[0].value']);
  });

  it('checks member conditions: the operators each subject takes and the values they compare with', () => {
    const split = (conditions: unknown[]) => ({
      initial: 'start',
      states: [
        { name: 'start', type: 'trigger', next: 'route' },
        { name: 'route', type: 'split', conditions, otherwise: 'start' },
      ],
    });
    const ok = validateFlow(
      split([
        { subject: 'member.roles', operator: 'contains', value: 'VIP', next: 'start' },
        { subject: 'member.server', operator: 'equals', value: 'Acme', next: 'start' },
        { subject: 'member.boosting', operator: 'equals', value: 'true', next: 'start' },
        { subject: 'member.accountAgeDays', operator: 'less_than', value: 7, next: 'start' },
        { subject: 'member.joinedDays', operator: 'greater_than', value: '30', next: 'start' },
        { subject: 'request.channel', operator: 'equals', value: 'help', next: 'start' },
      ]),
    );
    expect(ok).toEqual([]);
    const problems = validateFlow(
      split([
        { subject: 'member.roles', operator: 'greater_than', value: 3, next: 'start' },
        { subject: 'member.accountAgeDays', operator: 'greater_than', value: 'old', next: 'start' },
        { subject: 'member.boosting', operator: 'equals', value: 'yes', next: 'start' },
        { subject: 'member.roles', operator: 'contains', value: ' ', next: 'start' },
      ]),
    );
    expect(problems).toEqual([
      {
        path: 'states[1].conditions[0].operator',
        message: 'member.roles takes contains, equals, not_equals, matches',
      },
      { path: 'states[1].conditions[1].value', message: 'is a number of days' },
      { path: 'states[1].conditions[2].value', message: 'is true or false' },
      { path: 'states[1].conditions[3].value', message: 'names what to compare with (an id or a name)' },
    ]);
  });
});
