import { useEffect, useState } from 'react';
import { ApiError, get, post, query } from '../shared/api.ts';
import type { CannedResponse, Conversation } from '../shared/types.ts';

/** What a macro does besides sending its text, in a few words. */
export function describeActions(actions: NonNullable<CannedResponse['actions']>): string {
  return [
    actions.status && `case ${actions.status}`,
    actions.priority && `priority ${actions.priority}`,
    actions.tags?.length && `tags ${actions.tags.join(', ')}`,
    actions.close && 'close',
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * Macros in the composer: canned responses with actions, each one click that sends the text and applies
 * the actions in one transaction on the server (POST /canned-responses/{id}/apply).
 */
export function MacroMenu({
  conversationId,
  onApplied,
}: {
  conversationId: string;
  onApplied: (conversation: Conversation) => void;
}) {
  const [macros, setMacros] = useState<CannedResponse[]>([]);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    get<{ cannedResponses: CannedResponse[] }>(`/canned-responses${query({ limit: 200 })}`)
      .then((r) => live && setMacros(r.cannedResponses.filter((c) => c.actions)))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);

  if (macros.length === 0) return null;
  const apply = async (macro: CannedResponse) => {
    setBusy(true);
    setError(null);
    try {
      const { conversation } = await post<{ conversation: Conversation }>(
        `/canned-responses/${macro.id}/apply`,
        { conversationId },
      );
      setOpen(false);
      onApplied(conversation);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'the macro was not applied');
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="macro-menu">
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Macros
      </button>
      {open && (
        <ul className="canned" aria-label="Macros">
          {macros.map((m) => (
            <li key={m.id}>
              <button type="button" disabled={busy} onClick={() => void apply(m)}>
                <strong>/{m.shortcut}</strong> <span dir="auto">{m.title}</span>{' '}
                <span className="muted">{m.actions ? describeActions(m.actions) : ''}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
