import type { FlowDefinition } from './flow-definition.ts';

/**
 * The original design's flow: a contact who asks for a live agent (a button, `/agent`, or words such as
 * "human" or "موظف") gets a support case, is told its number and place, and waits in the hand-off queue;
 * every other message is answered by the virtual agent. With Flex as the hand-off target the conversation
 * goes to Flex instead, and the contact is told the case number only. What it says of the case is the
 * bot text `caseOpened` (`caseOpenedOutside` for Flex), which admins edit in Admin → Bot texts; `text`
 * shows the default.
 */
export const defaultFlowDefinition: FlowDefinition = {
  initial: 'incoming',
  states: [
    { name: 'incoming', type: 'trigger', next: 'asked-for-a-person' },
    {
      name: 'asked-for-a-person',
      type: 'split',
      conditions: [
        { subject: 'message.action', operator: 'equals', value: 'handoff', next: 'open-case' },
        { subject: 'message.text', operator: 'is_handoff_request', next: 'open-case' },
      ],
      otherwise: 'virtual-agent',
    },
    { name: 'virtual-agent', type: 'virtual-agent', onHandoff: 'open-case' },
    { name: 'open-case', type: 'create-case', kind: 'support', next: 'to-queue' },
    // No queue named: the hand-off queue an admin chose in Admin → Queues (or the hand-off target, Flex).
    { name: 'to-queue', type: 'send-to-queue', next: 'where-it-went' },
    {
      name: 'where-it-went',
      type: 'split',
      conditions: [
        { subject: 'handoff.target', operator: 'equals', value: 'switchboard', next: 'tell-case-number' },
      ],
      otherwise: 'tell-case-number-outside',
    },
    {
      // Handed to an outside contact center (Flex): it has no queue position to tell.
      name: 'tell-case-number-outside',
      type: 'send-message',
      botText: 'caseOpenedOutside',
      text: {
        en: 'I have opened case #{{case.number}} for you and I am transferring you to a person.',
        ar: 'فتحت لك الحالة رقم #{{case.number}} وسأحوّلك إلى موظف.',
      },
    },
    {
      name: 'tell-case-number',
      type: 'send-message',
      botText: 'caseOpened',
      text: {
        en: 'I have opened case #{{case.number}} for you and I am transferring you to a person. You are number {{queue.position}} in the queue.',
        ar: 'فتحت لك الحالة رقم #{{case.number}} وسأحوّلك إلى موظف. ترتيبك في قائمة الانتظار: {{queue.position}}.',
      },
    },
  ],
};
