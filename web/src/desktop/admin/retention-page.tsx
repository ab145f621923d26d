import { type FormEvent, useEffect, useState } from 'react';
import { get, put } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { message } from './admin-form.ts';

interface RetentionSetting {
  enabled: boolean;
  days: number;
}

/** Retention: delete conversations, messages and uploads older than N days (cases stay); off by default. */
export function RetentionAdmin() {
  const [setting, setSetting] = useState<RetentionSetting | null>(null);
  const [days, setDays] = useState('365');
  const [enabled, setEnabled] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    get<RetentionSetting>('/settings/retention')
      .then((s) => {
        setSetting(s);
        setEnabled(s.enabled);
        setDays(String(s.days));
      })
      .catch((err: unknown) => setError(message(err)));
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      setSetting(await put<RetentionSetting>('/settings/retention', { enabled, days: Number(days) }));
      setSaved(true);
    } catch (err) {
      setError(message(err));
    }
  };

  if (!setting && !error) return <p>Loading…</p>;
  return (
    <form onSubmit={save} aria-label="Retention">
      <p className="muted">
        Conversations no one is working on (with the bot or closed) and unchanged for this many days are
        deleted with their messages and uploaded files, once an hour. Cases stay, with their timelines.
      </p>
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Delete old conversations
      </label>
      <label className="field">
        <span>Older than (days)</span>
        <input type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />
      </label>
      <button type="submit" className="primary">
        Save
      </button>
      {saved && <p role="status">Saved</p>}
      <ErrorNote message={error} />
    </form>
  );
}
