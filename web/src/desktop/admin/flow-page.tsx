import { useEffect, useState } from 'react';
import { ApiError, get, post, put } from '../../shared/api.ts';
import { message } from './admin-form.ts';

interface FlowProblem {
  path: string;
  message: string;
}

export function FlowAdmin() {
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<FlowProblem[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    get<{ definition: unknown }>('/flows/active')
      .then((flow) => setText(JSON.stringify(flow.definition, null, 2)))
      .catch(() => {});
  }, []);
  const parse = (): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      setProblems([{ path: '(json)', message: err instanceof Error ? err.message : 'not JSON' }]);
      setStatus(null);
      return undefined;
    }
  };
  const validate = async () => {
    const definition = parse();
    if (definition === undefined) return;
    try {
      const result = await post<{ valid: boolean; problems: FlowProblem[] }>('/flows/validate', {
        definition,
      });
      setProblems(result.problems);
      setStatus(result.valid ? 'The flow is valid.' : null);
    } catch (err) {
      setProblems(problemsOf(err));
      setStatus(null);
    }
  };
  const save = async () => {
    const definition = parse();
    if (definition === undefined) return;
    try {
      await put('/flows/active', { definition });
      setProblems([]);
      setStatus('Saved: this flow is now active.');
    } catch (err) {
      setProblems(problemsOf(err));
      setStatus(null);
    }
  };
  const lines = text.split('\n');
  const flagged = new Set(
    problems.map((p) => lineOfPath(lines, p.path)).filter((n): n is number => n !== null),
  );
  return (
    <section className="card flow-editor">
      <div className="flow-grid">
        <div className="gutter" aria-hidden="true">
          {lines.map((_, i) => (
            <div key={`l${String(i)}`} className={flagged.has(i) ? 'flagged' : ''}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          aria-label="Flow JSON"
          spellCheck={false}
          value={text}
          rows={Math.max(20, lines.length + 1)}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <ul className="problems" aria-label="Flow problems">
        {problems.map((p) => (
          <li key={`${p.path}:${p.message}`} className="error">
            <code>{p.path}</code>
            {lineOfPath(lines, p.path) !== null && (
              <span> (line {(lineOfPath(lines, p.path) ?? 0) + 1})</span>
            )}
            : {p.message}
          </li>
        ))}
      </ul>
      {status && (
        <p className="ok" role="status">
          {status}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => void validate()}>
          Validate
        </button>
        <button type="button" className="primary" onClick={() => void save()}>
          Save and activate
        </button>
      </div>
    </section>
  );
}

function problemsOf(err: unknown): FlowProblem[] {
  const details = err instanceof ApiError ? err.details : undefined;
  const problems = (details?.problems ?? details?.issues) as FlowProblem[] | undefined;
  if (Array.isArray(problems))
    return problems.map((p) => ({ path: String(p.path), message: String(p.message) }));
  return [{ path: '(flow)', message: message(err) }];
}

/** The line of the editor a problem's JSON path (`states[2].next`) points at, found by the state's name. */
function lineOfPath(lines: string[], path: string): number | null {
  const state = /^states\[(\d+)\](?:\.(\w+))?/.exec(path);
  if (!state) return null;
  let seen = -1;
  let depth = 0;
  for (const [i, line] of lines.entries()) {
    // Each state object opens at depth 2 inside "states": [ … ].
    const opens = (line.match(/[{[]/g) ?? []).length;
    const closes = (line.match(/[}\]]/g) ?? []).length;
    if (depth === 2 && line.trim().startsWith('{')) seen += 1;
    if (seen === Number(state[1])) {
      const key = state[2];
      if (!key) return i;
      for (let j = i; j < lines.length; j++) {
        if (lines[j]?.includes(`"${key}"`)) return j;
        if (j > i && lines[j]?.trim().startsWith('}') && lines[j]?.search(/\S/) === line.search(/\S/))
          return i;
      }
      return i;
    }
    depth += opens - closes;
  }
  return null;
}
