import { useEffect, useState } from 'react';
import { ApiError, get, put } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import type { Queue } from '../shared/types.ts';

interface HandoffQueue {
  queue: Queue;
  usedByActiveFlow: boolean;
}

/** "Hand-offs go to: [queue ▾]": where the default flow sends contacts who ask for a person, without JSON. */
export function HandoffQueueSetting({ queues }: { queues: Queue[] }) {
  const [current, setCurrent] = useState<HandoffQueue | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    get<HandoffQueue>('/routing/handoff-queue')
      .then(setCurrent)
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'could not load'));
  }, []);

  const choose = async (queueId: string) => {
    setError(null);
    setSaved(false);
    try {
      setCurrent(await put<HandoffQueue>('/routing/handoff-queue', { queueId }));
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'not saved');
    }
  };

  return (
    <div className="handoff-queue">
      <label className="field inline">
        <span>Hand-offs go to</span>
        <select
          aria-label="Hand-offs go to"
          value={current?.queue.id ?? ''}
          disabled={!current}
          onChange={(e) => void choose(e.target.value)}
        >
          {/* The chosen queue is listed even before the queue list has loaded. */}
          {[
            ...queues,
            ...(current && !queues.some((q) => q.id === current.queue.id) ? [current.queue] : []),
          ].map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </select>
      </label>
      {saved && (
        <span className="muted small" role="status">
          Saved: new hand-offs wait in {current?.queue.name}.
        </span>
      )}
      {current && !current.usedByActiveFlow && (
        <p className="muted small">
          The active flow names its own queues, so this choice applies only to flows that name none.
        </p>
      )}
      <ErrorNote message={error} />
    </div>
  );
}
