import { useEffect, useState } from 'react';
import { del, get, put, query } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { SlaPolicy } from '../../shared/types.ts';
import { useDesktop } from '../desktop-store.ts';
import '../sla/sla.css';
import { message } from './admin-form.ts';
import { chosenQueue, QueueSelect } from './queue-select.tsx';

const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const targets = [
  ['firstResponseMinutes', 'First response'],
  ['nextResponseMinutes', 'Next response'],
  ['resolutionMinutes', 'Resolution'],
] as const;
type Target = (typeof targets)[number][0];
type Targets = Record<Target, string>;

const toTargets = (policy: SlaPolicy | undefined): Targets => ({
  firstResponseMinutes: String(policy?.firstResponseMinutes ?? ''),
  nextResponseMinutes: String(policy?.nextResponseMinutes ?? ''),
  resolutionMinutes: String(policy?.resolutionMinutes ?? ''),
});

/** Admin → SLA policies: per queue and case priority, the targets in business minutes. */
export function SlaPoliciesAdmin() {
  const { queues } = useDesktop();
  const [picked, setPicked] = useState('');
  const queueId = chosenQueue(queues, picked);
  const [policies, setPolicies] = useState<SlaPolicy[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!queueId) return;
    let live = true;
    setPolicies(null);
    get<{ policies: SlaPolicy[] }>(`/sla/policies${query({ queueId })}`)
      .then((r) => live && setPolicies(r.policies))
      .catch((err: unknown) => live && setError(message(err)));
    return () => {
      live = false;
    };
  }, [queueId]);

  const replace = (priority: string, policy: SlaPolicy | null) =>
    setPolicies((list) => [
      ...(list ?? []).filter((p) => p.priority !== priority),
      ...(policy ? [policy] : []),
    ]);

  return (
    <section className="card sla-policies">
      <p className="muted">
        Targets in business minutes (see Business hours): the first response to a contact, each next response
        after the contact writes again, and the resolution of the case. Clocks turn amber at 80 % of a target
        and pause while a case is pending. An empty target is none.
      </p>
      <QueueSelect queues={queues} value={queueId} onChange={setPicked} />
      <ErrorNote message={error} />
      {policies && (
        <table className="table" aria-label="SLA policies">
          <thead>
            <tr>
              <th>Priority</th>
              {targets.map(([key, label]) => (
                <th key={key}>{label} (minutes)</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {priorities.map((priority) => {
              const policy = policies.find((p) => p.priority === priority);
              return (
                <PolicyRow
                  key={`${queueId}-${priority}-${policy?.updatedAt ?? 'none'}`}
                  queueId={queueId}
                  priority={priority}
                  policy={policy}
                  onSaved={(p) => replace(priority, p)}
                />
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function PolicyRow(props: {
  queueId: string;
  priority: (typeof priorities)[number];
  policy: SlaPolicy | undefined;
  onSaved: (policy: SlaPolicy | null) => void;
}) {
  const [form, setForm] = useState<Targets>(() => toTargets(props.policy));
  const [error, setError] = useState<string | null>(null);
  const path = `/queues/${encodeURIComponent(props.queueId)}/sla-policies/${props.priority}`;
  const save = async () => {
    try {
      const body = Object.fromEntries(
        targets.map(([key]) => [key, form[key].trim() === '' ? null : Number(form[key])]),
      );
      props.onSaved(await put<SlaPolicy>(path, body));
    } catch (err) {
      setError(message(err));
    }
  };
  const remove = async () => {
    try {
      await del(path);
      props.onSaved(null);
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <tr data-priority={props.priority}>
      <td className={`priority-${props.priority}`}>{props.priority}</td>
      {targets.map(([key, label]) => (
        <td key={key}>
          <input
            type="number"
            min={1}
            aria-label={`${label} (minutes)`}
            placeholder="none"
            value={form[key]}
            onChange={(e) => setForm({ ...form, [key]: e.target.value })}
          />
        </td>
      ))}
      <td>
        <div className="actions">
          <button type="button" className="primary" onClick={() => void save()}>
            Save
          </button>
          {props.policy && (
            <button type="button" onClick={() => void remove()}>
              Remove
            </button>
          )}
        </div>
        <ErrorNote message={error} />
      </td>
    </tr>
  );
}
