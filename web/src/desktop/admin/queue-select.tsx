import type { Queue } from '../../shared/types.ts';

/** Which queue an admin page edits. */
export function QueueSelect(props: { queues: Queue[]; value: string; onChange: (queueId: string) => void }) {
  return (
    <label className="field">
      <span>Queue</span>
      <select aria-label="Queue" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.queues.map((q) => (
          <option key={q.id} value={q.id}>
            {q.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The queue chosen on the page: the one picked, else the first. */
export const chosenQueue = (queues: Queue[], picked: string) =>
  queues.some((q) => q.id === picked) ? picked : (queues[0]?.id ?? '');
