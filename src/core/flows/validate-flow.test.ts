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
});
