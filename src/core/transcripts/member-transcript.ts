import type { Conversation, MemberTranscript } from '../model.ts';
import { postMessage } from '../outbox/post-message.ts';
import type { Repositories } from '../ports/repositories.ts';
import { say } from '../texts.ts';
import type { Emit } from '../unit-of-work.ts';
import { buildTranscript, type Transcript } from './transcript.ts';
import { formatTime, renderTranscriptHtml } from './transcript-html.ts';

/** The member's view as plain lines: who wrote what and when, with attachments and suggested articles. */
export function renderTranscriptText(transcript: Transcript): string {
  return transcript.entries
    .flatMap((e) => {
      if (e.type === 'event') return [`— ${e.text} (${formatTime(e.at)})`];
      const extras = [
        ...e.attachments.map((a) => `  📎 ${a.name}${/^https?:\/\//i.test(a.url) ? `: ${a.url}` : ''}`),
        ...e.articles.map((a) => `  ${a.title}${/^https?:\/\//i.test(a.url) ? `: ${a.url}` : ''}`),
      ];
      return [`${e.authorName} (${formatTime(e.at)}): ${e.text}`, ...extras];
    })
    .join('\n');
}

/**
 * When the conversation's queue says so, writes the member's transcript to the outbox in the caller's
 * transaction (the close), so that a crash neither loses nor doubles it; the conversation shows a system
 * message saying it was sent. Call after the conversation is stored closed, so the transcript ends with
 * its close.
 */
export async function sendTranscriptIn(
  tx: Repositories,
  emit: Emit,
  conversation: Conversation,
  at: Date,
  publicUrl: string | null,
): Promise<boolean> {
  if (!conversation.queueId) return false;
  const queue = await tx.queues.get(conversation.queueId);
  if (!queue?.sendTranscript) return false;
  const transcript = await buildTranscript(tx, conversation.id, at);
  const intro = transcript.case
    ? say('transcriptOfCase', conversation.language, { case: transcript.case.number })
    : say('transcript', conversation.language);
  const name = transcript.case
    ? `case-${transcript.case.number}`
    : `conversation-${conversation.id.slice(0, 8)}`;
  const member: MemberTranscript = {
    intro,
    fileName: `transcript-${name}.html`.replace(/[^A-Za-z0-9_.-]/g, '_'),
    html: renderTranscriptHtml(transcript, { audience: 'member', baseUrl: publicUrl }),
  };
  // Kept in the conversation as a short system message (with its delivery status, and a Resend if refused).
  await postMessage(
    tx,
    emit,
    conversation,
    {
      authorKind: 'system',
      text: intro,
      transcript: { text: `${intro}\n\n${renderTranscriptText(transcript)}`, file: member },
    },
    at.toISOString(),
  );
  return true;
}
