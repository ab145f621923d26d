import { type FormEvent, useEffect, useState } from 'react';
import { get, patch, post } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { Queue } from '../../shared/types.ts';
import { desktop } from '../desktop-store.ts';
import { HandoffQueueSetting } from '../handoff-queue-setting.tsx';
import { list, message } from './admin-form.ts';

export function QueuesAdmin() {
  const [queues, setQueues] = useState<Queue[]>([]);
  const [name, setName] = useState('');
  const [skills, setSkills] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = () => get<{ queues: Queue[] }>('/queues').then((r) => setQueues(r.queues));
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once; saving reloads explicitly
  useEffect(() => {
    void load();
  }, []);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await post('/queues', { name, skills: list(skills) });
      setName('');
      setSkills('');
      await load();
      await desktop.reload();
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section className="card">
      <HandoffQueueSetting queues={queues} />
      <table className="table" aria-label="Queues">
        <thead>
          <tr>
            <th>Queue</th>
            <th>Required skills</th>
            <th>Transcript to the member</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.id}>
              <td>{q.name}</td>
              <td>
                <input
                  aria-label={`Skills of ${q.name}`}
                  defaultValue={q.skills.join(', ')}
                  onBlur={(e) => {
                    if (e.target.value !== q.skills.join(', '))
                      void patch(`/queues/${q.id}`, { skills: list(e.target.value) }).catch((err: unknown) =>
                        setError(message(err)),
                      );
                  }}
                />
              </td>
              <td>
                <label>
                  <input
                    type="checkbox"
                    aria-label={`Send ${q.name}'s members the transcript when their conversation closes`}
                    checked={q.sendTranscript}
                    onChange={(e) => {
                      const sendTranscript = e.target.checked;
                      const set = (value: boolean) =>
                        setQueues((list) =>
                          list.map((x) => (x.id === q.id ? { ...x, sendTranscript: value } : x)),
                        );
                      // Shown at once; put back as it was if the server refuses.
                      set(sendTranscript);
                      void patch(`/queues/${q.id}`, { sendTranscript }).catch((err: unknown) => {
                        set(!sendTranscript);
                        setError(message(err));
                      });
                    }}
                  />{' '}
                  when the conversation closes
                </label>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <input
          aria-label="Queue name"
          required
          placeholder="queue name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <input
          aria-label="Queue skills"
          placeholder="skills, comma separated"
          value={skills}
          onChange={(e) => setSkills(e.target.value)}
        />
        <button type="submit" className="primary">
          Create queue
        </button>
      </form>
      <ErrorNote message={error} />
    </section>
  );
}
