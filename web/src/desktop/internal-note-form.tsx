import { type FormEvent, useState } from 'react';
import { ApiError, post } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import type { ConversationNote } from '../shared/types.ts';

/**
 * Writes an internal note on a conversation (the notes API): seen by agents only, never sent to the contact.
 * `onAdded` gets the stored note (the realtime `note.created` event may bring it too).
 */
export function InternalNoteForm({
  conversationId,
  onAdded,
}: {
  conversationId: string;
  onAdded: (note: ConversationNote) => void;
}) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    try {
      onAdded(await post<ConversationNote>(`/conversations/${conversationId}/notes`, { text }));
      setText('');
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'the note was not saved');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="internal-note-form" aria-label="New internal note" onSubmit={(e) => void submit(e)}>
      <textarea
        className="internal-note-text"
        aria-label="Write an internal note"
        placeholder="Internal note for agents (never sent to the contact)"
        dir="auto"
        rows={1}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" disabled={busy || !text.trim()}>
        Add note
      </button>
      <ErrorNote message={error} />
    </form>
  );
}
