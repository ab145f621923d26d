import { type FormEvent, useEffect, useRef, useState } from 'react';
import { get } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import type { Queue } from '../../shared/types.ts';

const caseStatuses = ['new', 'open', 'pending', 'solved', 'closed'] as const;
const conversationStates = ['bot', 'queued', 'assigned', 'wrapping', 'closed'] as const;

/**
 * Counts the records of a streamed export as its chunks arrive: CSV records end with a line break outside
 * quotes (a field may hold line breaks), JSON rows each start a line with `{` (JSON text escapes its own).
 */
export class RowCounter {
  rows = 0;
  #inQuotes = false;
  #headerSeen = false;
  constructor(private readonly format: 'csv' | 'json') {}

  add(chunk: string): void {
    if (this.format === 'json') {
      this.rows += chunk.split('\n{').length - 1;
      return;
    }
    for (const c of chunk) {
      if (c === '"') this.#inQuotes = !this.#inQuotes;
      else if (c === '\n' && !this.#inQuotes) {
        if (this.#headerSeen) this.rows += 1;
        else this.#headerSeen = true;
      }
    }
  }
}

interface Progress {
  rows: number;
  total: number | null;
  done: boolean;
}

/**
 * Export of cases or conversations (CSV or JSON, filtered), for supervisors and admins. The server sends the
 * row count first and then streams the rows; the page shows rows read of the total, then saves the file.
 */
export function ExportPage() {
  const [kind, setKind] = useState<'cases' | 'conversations'>('cases');
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [status, setStatus] = useState('');
  const [queueId, setQueueId] = useState('');
  const [channel, setChannel] = useState('');
  const [queues, setQueues] = useState<Queue[]>([]);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<{ url: string; name: string } | null>(null);
  const link = useRef<HTMLAnchorElement>(null);

  useEffect(() => {
    get<{ queues: Queue[] }>('/queues')
      .then((r) => setQueues(r.queues))
      .catch(() => setQueues([]));
  }, []);
  useEffect(() => {
    if (file) link.current?.click();
    return () => {
      if (file) URL.revokeObjectURL(file.url);
    };
  }, [file]);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setFile(null);
    const params = new URLSearchParams({ format });
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    if (status) params.set(kind === 'cases' ? 'status' : 'state', status);
    if (queueId) params.set('queueId', queueId);
    if (channel.trim()) params.set('channel', channel.trim());
    setProgress({ rows: 0, total: null, done: false });
    try {
      const response = await fetch(`/api/v1/exports/${kind}?${params}`, { credentials: 'same-origin' });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `the export failed (${response.status})`);
      }
      const total = Number(response.headers.get('x-total-count'));
      const counter = new RowCounter(format);
      const parts: BlobPart[] = [];
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      setProgress({ rows: 0, total, done: false });
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
        counter.add(value);
        setProgress({ rows: counter.rows, total, done: false });
      }
      setProgress({ rows: counter.rows, total, done: true });
      const type = format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json';
      const name = `${kind}-${new Date().toISOString().slice(0, 10)}.${format}`;
      setFile({ url: URL.createObjectURL(new Blob(parts, { type })), name });
    } catch (err) {
      setProgress(null);
      setError(err instanceof Error ? err.message : 'the export failed');
    }
  };

  const states = kind === 'cases' ? caseStatuses : conversationStates;
  const running = progress !== null && !progress.done;
  return (
    <div className="page export">
      <h1>Export</h1>
      <form onSubmit={run} aria-label="Export" className="export-form">
        <label className="field">
          <span>What</span>
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as typeof kind);
              setStatus('');
            }}
          >
            <option value="cases">Cases</option>
            <option value="conversations">Conversations</option>
          </select>
        </label>
        <label className="field">
          <span>Format</span>
          <select value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label className="field">
          <span>Created from</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="field">
          <span>Created before</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label className="field">
          <span>{kind === 'cases' ? 'Status' : 'State'}</span>
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            {states.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Queue</span>
          <select value={queueId} onChange={(e) => setQueueId(e.target.value)}>
            <option value="">Any</option>
            {queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Channel</span>
          <input
            value={channel}
            onChange={(e) => setChannel(e.target.value)}
            placeholder="any (discord, webchat…)"
          />
        </label>
        <button type="submit" className="primary" disabled={running}>
          Export
        </button>
      </form>
      <ErrorNote message={error} />
      {progress && (
        <div className="export-progress">
          <progress
            aria-label="Export progress"
            value={progress.rows}
            max={progress.total && progress.total > 0 ? progress.total : 1}
          />
          <p role="status">
            {progress.total === null
              ? 'Starting the export…'
              : `${progress.done ? 'Exported' : 'Exporting'} ${progress.rows.toLocaleString('en')} of ${progress.total.toLocaleString('en')} rows`}
          </p>
        </div>
      )}
      {file && (
        <p>
          <a ref={link} href={file.url} download={file.name}>
            Save {file.name} again
          </a>
        </p>
      )}
    </div>
  );
}
