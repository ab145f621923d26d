import { isTextKey } from '../texts.ts';
import type { FlowDefinition, FlowState } from './flow-definition.ts';

export interface FlowProblem {
  /** JSON path of the problem, e.g. `states[2].next`. */
  path: string;
  message: string;
}

/**
 * What a community channel tells of the member (a Discord server's roles, boost, account age) and the
 * operators each takes: several values (roles; a server or channel by id and name) match one of them,
 * ages in days compare as numbers, boosting is `true` or `false`.
 */
const memberOperators: Record<string, readonly string[]> = {
  'member.roles': ['contains', 'equals', 'not_equals', 'matches'],
  'member.server': ['equals', 'not_equals', 'contains', 'matches'],
  'request.channel': ['equals', 'not_equals', 'contains', 'matches'],
  'member.boosting': ['equals', 'not_equals'],
  'member.accountAgeDays': ['greater_than', 'less_than', 'equals', 'not_equals'],
  'member.joinedDays': ['greater_than', 'less_than', 'equals', 'not_equals'],
};
const memberSubjects = Object.keys(memberOperators);

/** What is wrong with a member condition's operator or value for its subject, if anything. */
function memberProblem(subject: string, operator: string, value: unknown): FlowProblem | null {
  const allowed = memberOperators[subject];
  if (!allowed) return null;
  if (!allowed.includes(operator))
    return { path: 'operator', message: `${subject} takes ${allowed.join(', ')}` };
  if (subject === 'member.accountAgeDays' || subject === 'member.joinedDays')
    return Number.isFinite(Number(value)) && String(value).trim() !== ''
      ? null
      : { path: 'value', message: 'is a number of days' };
  if (subject === 'member.boosting')
    return ['true', 'false'].includes(String(value)) ? null : { path: 'value', message: 'is true or false' };
  return String(value ?? '').trim() === ''
    ? { path: 'value', message: 'names what to compare with (an id or a name)' }
    : null;
}

const stateTypes = [
  'trigger',
  'split',
  'virtual-agent',
  'send-to-queue',
  'send-message',
  'create-case',
  'http-request',
];
const subjects = [
  'message.text',
  'message.action',
  'conversation.state',
  'conversation.channel',
  'conversation.language',
  'contact.locale',
  'virtualAgent.intent',
  'virtualAgent.confidence',
  'http.status',
  'handoff.target',
  ...memberSubjects,
];
const operators = [
  'equals',
  'not_equals',
  'contains',
  'matches',
  'greater_than',
  'less_than',
  'is_handoff_request',
];
const caseKinds = ['support', 'bug', 'feature'];

/**
 * Checks a flow document before it is saved: shape, known state types, required fields, and that every
 * transition names an existing state. Returns every problem found (empty when the flow is valid).
 */
export function validateFlow(input: unknown): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!isObject(input))
    return [{ path: '', message: 'a flow must be a JSON object with "initial" and "states"' }];
  if (!Array.isArray(input.states) || input.states.length === 0) {
    add('states', 'must be a non-empty array of states');
    return problems;
  }
  const states = input.states as unknown[];
  const names = new Map<string, number>();
  states.forEach((state, i) => {
    if (!isObject(state) || typeof state.name !== 'string' || !state.name.trim()) {
      add(`states[${i}].name`, 'every state needs a non-empty "name"');
      return;
    }
    if (names.has(state.name)) add(`states[${i}].name`, `duplicate state name "${state.name}"`);
    names.set(state.name, i);
  });
  const refersTo = (path: string, target: unknown, required: boolean) => {
    if (target === undefined && !required) return;
    if (typeof target !== 'string' || !names.has(target)) {
      add(path, target === undefined ? 'is required' : `refers to unknown state "${String(target)}"`);
    }
  };
  states.forEach((raw, i) => {
    if (!isObject(raw)) return;
    const at = `states[${i}]`;
    const state = raw as Partial<FlowState> & Record<string, unknown>;
    if (typeof state.type !== 'string' || !stateTypes.includes(state.type)) {
      add(`${at}.type`, `must be one of ${stateTypes.join(', ')}`);
      return;
    }
    switch (state.type) {
      case 'trigger':
        refersTo(`${at}.next`, state.next, true);
        break;
      case 'split': {
        if (!Array.isArray(state.conditions) || state.conditions.length === 0) {
          add(`${at}.conditions`, 'a split needs at least one condition');
        } else {
          (state.conditions as unknown[]).forEach((c, j) => {
            const cp = `${at}.conditions[${j}]`;
            if (!isObject(c)) {
              add(cp, 'must be an object');
              return;
            }
            if (typeof c.subject !== 'string' || !subjects.includes(c.subject)) {
              add(`${cp}.subject`, `must be one of ${subjects.join(', ')}`);
            }
            if (typeof c.operator !== 'string' || !operators.includes(c.operator)) {
              add(`${cp}.operator`, `must be one of ${operators.join(', ')}`);
            } else if (c.operator !== 'is_handoff_request' && c.value === undefined) {
              add(`${cp}.value`, 'is required for this operator');
            } else if (c.operator === 'matches') {
              try {
                new RegExp(String(c.value), 'i');
              } catch {
                add(`${cp}.value`, 'is not a valid regular expression');
              }
            }
            if (typeof c.subject === 'string' && typeof c.operator === 'string' && c.value !== undefined) {
              const problem = memberProblem(c.subject, c.operator, c.value);
              if (problem) add(`${cp}.${problem.path}`, problem.message);
            }
            refersTo(`${cp}.next`, c.next, true);
          });
        }
        refersTo(`${at}.otherwise`, state.otherwise, false);
        break;
      }
      case 'virtual-agent':
        refersTo(`${at}.next`, state.next, false);
        refersTo(`${at}.onHandoff`, state.onHandoff, false);
        refersTo(`${at}.onUnsure`, state.onUnsure, false);
        break;
      case 'send-to-queue':
        // Optional: without it the conversation goes to the hand-off queue chosen in the desktop.
        if (state.queue !== undefined && (typeof state.queue !== 'string' || !state.queue.trim()))
          add(`${at}.queue`, 'names the queue (or is left out for the hand-off queue)');
        refersTo(`${at}.next`, state.next, false);
        break;
      case 'send-message': {
        const text = state.text;
        const ok =
          (typeof text === 'string' && text.trim() !== '') ||
          (isObject(text) &&
            Object.keys(text).length > 0 &&
            Object.values(text).every((t) => typeof t === 'string'));
        if (!ok) add(`${at}.text`, 'is a non-empty string or an object of texts by language');
        if (state.botText !== undefined && !(typeof state.botText === 'string' && isTextKey(state.botText)))
          add(`${at}.botText`, 'names one of the bot texts (Admin → Bot texts), such as caseOpened');
        refersTo(`${at}.next`, state.next, false);
        break;
      }
      case 'create-case':
        if (state.kind !== undefined && !caseKinds.includes(String(state.kind))) {
          add(`${at}.kind`, `must be one of ${caseKinds.join(', ')}`);
        }
        refersTo(`${at}.next`, state.next, false);
        break;
      case 'http-request':
        if (typeof state.url !== 'string' || !/^https?:\/\//.test(state.url))
          add(`${at}.url`, 'must be an http(s) URL');
        if (state.method !== undefined && state.method !== 'GET' && state.method !== 'POST') {
          add(`${at}.method`, 'must be GET or POST');
        }
        refersTo(`${at}.next`, state.next, false);
        refersTo(`${at}.onFailure`, state.onFailure, false);
        break;
    }
  });
  if (typeof input.initial !== 'string' || !names.has(input.initial)) {
    add('initial', 'must name an existing state');
  } else {
    const first = states[names.get(input.initial)!];
    if (!isObject(first) || first.type !== 'trigger') add('initial', 'the initial state must be a trigger');
  }
  return problems;
}

/** Narrows after `validateFlow` returned no problems. */
export function isFlowDefinition(input: unknown): input is FlowDefinition {
  return validateFlow(input).length === 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
