import { sayFrom } from '../../core/texts.ts';

/** What the SMS and WhatsApp connectors add to messages, per language. */
export const sayMessaging = sayFrom(
  {
    replyWord: { en: 'Reply {word}: {label}', ar: 'أرسل {word}: {label}' },
    replyRating: { en: 'Reply with a number from 1 to 5.', ar: 'أرسل رقماً من 1 إلى 5.' },
    help: {
      en: 'You are writing to our support team. Write your question any time; reply AGENT to talk to a person, STOP to receive no more messages, START to receive them again.',
      ar: 'أنت تراسل فريق الدعم لدينا. اكتب سؤالك في أي وقت؛ أرسل AGENT للتحدث إلى موظف، وSTOP لإيقاف الرسائل، وSTART لاستئنافها.',
    },
  },
  'messaging',
);
