import { type FormEvent, useEffect, useState } from 'react';
import { get, put } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { message } from './admin-form.ts';

interface IdleSettings {
  enabled: boolean;
  reminderMinutes: number;
  closeMinutes: number;
}

/** Idle conversations: remind a member who went silent after an agent's message, then close. */
export function IdleConversationsAdmin() {
  const [form, setForm] = useState<{
    enabled: boolean;
    reminderMinutes: string;
    closeMinutes: string;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    get<IdleSettings>('/settings/idle-conversations')
      .then((s) =>
        setForm({
          enabled: s.enabled,
          reminderMinutes: String(s.reminderMinutes),
          closeMinutes: String(s.closeMinutes),
        }),
      )
      .catch((err) => setError(message(err)));
  }, []);
  if (!form) return <ErrorNote message={error} />;
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await put('/settings/idle-conversations', {
        enabled: form.enabled,
        reminderMinutes: Number(form.reminderMinutes),
        closeMinutes: Number(form.closeMinutes),
      });
      setSaved(true);
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section className="card">
      <p className="muted">
        When an agent wrote last and the member does not answer, the bot reminds the member, then closes the
        conversation (the reason goes on the case's timeline). The texts are in Bot texts: idleReminder and
        idleClosed.
      </p>
      <form className="inline-form" aria-label="Idle conversations" onSubmit={(e) => void save(e)}>
        <label>
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => setForm({ ...form, enabled: e.target.checked })}
          />{' '}
          Remind and close idle conversations
        </label>
        <label>
          Remind after (minutes){' '}
          <input
            type="number"
            min={1}
            max={10080}
            value={form.reminderMinutes}
            onChange={(e) => setForm({ ...form, reminderMinutes: e.target.value })}
          />
        </label>
        <label>
          Then close after (minutes){' '}
          <input
            type="number"
            min={1}
            max={10080}
            value={form.closeMinutes}
            onChange={(e) => setForm({ ...form, closeMinutes: e.target.value })}
          />
        </label>
        <button type="submit" className="primary">
          Save
        </button>
        {saved && (
          <span className="muted" role="status">
            Saved.
          </span>
        )}
      </form>
      <ErrorNote message={error} />
    </section>
  );
}
