/**
 * A Flow is the routing program a message runs through: a JSON document of states and
 * transitions, in the spirit of a Twilio Studio flow. Validated on save by `validateFlow`.
 */

/** A condition of a `split` state, evaluated over the message and the conversation. */
export interface FlowCondition {
  /** `message.text`, `message.action`, `message.intent`, `conversation.state`, `conversation.channel`, `contact.locale`, `conversation.language`, `virtualAgent.intent`, `virtualAgent.confidence`, `handoff.target` (after `send-to-queue`: `switchboard`, or the bridge it went to, `flex`); from a community channel (a Discord server): `member.roles` (ids and names, `contains`), `member.server`, `member.boosting`, `member.accountAgeDays`, `member.joinedDays` (`greater_than`, `less_than`), `request.channel` (the server channel the request came from). */
  subject: string;
  operator:
    | 'equals'
    | 'not_equals'
    | 'contains'
    | 'matches'
    | 'greater_than'
    | 'less_than'
    | 'is_handoff_request';
  /** `member.boosting` compares with `true` or `false`. */
  value?: string | number | boolean;
  next: string;
}

export type FlowState =
  | { name: string; type: 'trigger'; next: string }
  | { name: string; type: 'split'; conditions: FlowCondition[]; otherwise?: string }
  | { name: string; type: 'virtual-agent'; next?: string; onHandoff?: string; onUnsure?: string }
  /**
   * Without `queue`, the hand-off target (`SWITCHBOARD_HANDOFF_TARGET`): the hand-off queue an admin chose
   * (Admin → Queues; `support` until then), or Flex. A queue named like a bridge (`flex`) goes to it.
   */
  | { name: string; type: 'send-to-queue'; queue?: string; next?: string }
  /**
   * `text` is a template (`{{case.number}}`, `{{queue.position}}`, `{{contact.name}}`, `{{http.body.<key>}}`), or one per language (`{ "en": …, "ar": … }`).
   * With `botText` (a key of the core's texts, e.g. `caseOpened`) the bot says that text instead, as
   * admins edited it in Admin → Bot texts, with `{case}` and `{position}` filled.
   */
  | {
      name: string;
      type: 'send-message';
      text: string | Record<string, string>;
      botText?: string;
      next?: string;
    }
  | {
      name: string;
      type: 'create-case';
      kind?: 'support' | 'bug' | 'feature';
      priority?: string;
      next?: string;
    }
  | {
      name: string;
      type: 'http-request';
      url: string;
      method?: 'GET' | 'POST';
      timeoutMs?: number;
      next?: string;
      onFailure?: string;
    };

export interface FlowDefinition {
  /** Name of the first state; it must be a `trigger`. */
  initial: string;
  states: FlowState[];
}

export interface Flow {
  id: string;
  name: string;
  definition: FlowDefinition;
  active: boolean;
  updatedAt: string;
}
