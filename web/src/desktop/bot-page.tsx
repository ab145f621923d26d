import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post, query } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import type { Article } from '../shared/types.ts';
import { desktop } from './desktop-store.ts';
import { Link, navigate } from './router.tsx';
import { Tile } from './tile.tsx';

/** GET /api/v1/bot/outcomes (definitions in src/core/outcomes/bot-outcome.ts). */
interface OutcomeCounts {
  resolved: number;
  handedOff: number;
  abandoned: number;
  containmentRate: number | null;
}
interface BotOutcomeFigures {
  since: string;
  until: string;
  days: (OutcomeCounts & { date: string })[];
  totals: OutcomeCounts & { confirmed: number; noReturn: number; inProgress: number };
  handoffReasons: { reason: string; count: number }[];
  articles: { articleId: string; title: string | null; answered: number; solved: number }[];
}
interface UnansweredGroup {
  count: number;
  questions: { id: string; text: string; language: string; askedAt: string }[];
}

const reasonLabels: Record<string, string> = {
  asked_for_person: 'Asked for a person',
  low_confidence: 'Low confidence',
  negative_feedback: 'Negative feedback',
  repeated_question: 'Repeated question',
  model_unavailable: 'Model unavailable',
};
const windowDays = 14;
const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);
const message = (err: unknown) => (err instanceof ApiError ? err.message : 'could not load the figures');

/** The tabs of the supervisor view. */
export function SupervisorTabs({ active }: { active: 'center' | 'bot' | 'monitor' }) {
  return (
    <nav className="tabs" aria-label="Supervisor views">
      <Link to="/supervisor" className={active === 'center' ? 'tab active' : 'tab'}>
        Contact center
      </Link>
      <Link to="/supervisor/monitor" className={active === 'monitor' ? 'tab active' : 'tab'}>
        Monitor
      </Link>
      <Link to="/supervisor/bot" className={active === 'bot' ? 'tab active' : 'tab'}>
        Bot
      </Link>
    </nav>
  );
}

/**
 * What the bot solves: containment per day, why conversations went to a person, answers and "solved" per
 * article, and the questions it could not answer, grouped, each group one click from a draft article.
 * Every member's text is rendered as text (React escapes it), in its own direction.
 */
export function BotPage() {
  const [figures, setFigures] = useState<BotOutcomeFigures | null>(null);
  const [groups, setGroups] = useState<UnansweredGroup[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      const [f, u] = await Promise.all([
        get<BotOutcomeFigures>(`/bot/outcomes${query({ days: windowDays })}`),
        get<{ groups: UnansweredGroup[] }>(`/bot/unanswered${query({ days: windowDays })}`),
      ]);
      setFigures(f);
      setGroups(u.groups);
      setError(null);
    } catch (err) {
      setError(message(err));
    }
  }, []);

  useEffect(() => {
    void load();
    let pending: ReturnType<typeof setTimeout> | null = null;
    // Outcomes follow conversations: reload once per burst of changes, and every 30 s for the idle ones.
    const off = desktop.onEvent((event) => {
      if (event.type === 'hello') return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => void load(), 500);
    });
    const timer = setInterval(() => void load(), 30_000);
    return () => {
      off();
      clearInterval(timer);
      if (pending) clearTimeout(pending);
    };
  }, [load]);

  const createArticle = async (index: number, group: UnansweredGroup) => {
    setCreating(index);
    try {
      const article = await post<Article>('/bot/unanswered/articles', {
        questionIds: group.questions.map((q) => q.id),
      });
      navigate(`/articles/${encodeURIComponent(article.id)}`);
    } catch (err) {
      setError(message(err));
      setCreating(null);
    }
  };

  if (!figures)
    return (
      <div className="page supervisor">
        <h1>Supervisor</h1>
        <SupervisorTabs active="bot" />
        {error ? <ErrorNote message={error} /> : <p className="muted">Loading figures…</p>}
      </div>
    );

  const { totals } = figures;
  const maxReason = Math.max(1, ...figures.handoffReasons.map((r) => r.count));
  const maxAnswered = Math.max(1, ...figures.articles.map((a) => a.answered));
  return (
    <div className="page supervisor bot-figures">
      <h1>Supervisor</h1>
      <SupervisorTabs active="bot" />
      <ErrorNote message={error} />
      <div className="tiles">
        <Tile
          label="Containment"
          value={percent(totals.containmentRate)}
          note={`resolved by the bot, last ${windowDays} days`}
        />
        <Tile
          label="Resolved"
          value={String(totals.resolved)}
          note={`${totals.confirmed} confirmed, ${totals.noReturn} did not come back`}
        />
        <Tile label="Handed off" value={String(totals.handedOff)} />
        <Tile label="Abandoned" value={String(totals.abandoned)} />
        <Tile label="With the bot now" value={String(totals.inProgress)} note="no outcome yet" />
      </div>
      <section className="card">
        <h2>Containment rate per day</h2>
        <ContainmentChart days={figures.days} />
      </section>
      <div className="two-columns">
        <section className="card">
          <h2>Hand-off reasons</h2>
          <table className="table" aria-label="Hand-off reasons">
            <tbody>
              {figures.handoffReasons.map((r) => (
                <tr key={r.reason} data-reason={r.reason}>
                  <td>{reasonLabels[r.reason] ?? r.reason}</td>
                  <td className="waiting">
                    <span
                      className="bar"
                      style={{ width: `${(r.count / maxReason) * 120}px` }}
                      aria-hidden="true"
                    />
                    <span className="figure">{r.count}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card">
          <h2>Articles</h2>
          <table className="table" aria-label="Article answers">
            <thead>
              <tr>
                <th>Article</th>
                <th>Answered</th>
                <th>Solved</th>
              </tr>
            </thead>
            <tbody>
              {figures.articles.map((a) => (
                <tr key={a.articleId} data-article={a.articleId}>
                  <td dir="auto">{a.title ?? `${a.articleId} (deleted)`}</td>
                  <td className="waiting">
                    <span
                      className="bar answered"
                      style={{ width: `${(a.answered / maxAnswered) * 80}px` }}
                      aria-hidden="true"
                    />
                    <span className="figure answered">{a.answered}</span>
                  </td>
                  <td className="waiting">
                    <span
                      className="bar solved"
                      style={{ width: `${(a.solved / maxAnswered) * 80}px` }}
                      aria-hidden="true"
                    />
                    <span className="figure solved">{a.solved}</span>
                  </td>
                </tr>
              ))}
              {figures.articles.length === 0 && (
                <tr>
                  <td colSpan={3} className="muted">
                    No answers yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </section>
      </div>
      <section className="card">
        <h2>Questions the bot could not answer</h2>
        <ul className="unanswered" aria-label="Unanswered questions">
          {groups.map((group, index) => (
            <li key={group.questions[0]?.id ?? index} className="unanswered-group">
              <div className="unanswered-head">
                <strong>
                  {group.count} {group.count === 1 ? 'question' : 'questions'}
                </strong>
                <button
                  type="button"
                  disabled={creating !== null}
                  onClick={() => void createArticle(index, group)}
                >
                  Create an article from these
                </button>
              </div>
              <ul>
                {group.questions.map((q) => (
                  <li key={q.id} dir="auto" lang={q.language}>
                    {q.text}
                  </li>
                ))}
              </ul>
            </li>
          ))}
          {groups.length === 0 && <li className="muted">Nothing unanswered.</li>}
        </ul>
      </section>
    </div>
  );
}

/** Plain SVG bars, one per day: the share of the day's outcomes the bot resolved. */
function ContainmentChart({ days }: { days: BotOutcomeFigures['days'] }) {
  const width = 28;
  const height = 120;
  return (
    <svg
      className="containment-chart"
      role="img"
      aria-label="Containment rate per day"
      viewBox={`0 0 ${days.length * width} ${height + 18}`}
      width="100%"
      height={height + 18}
      preserveAspectRatio="none"
    >
      {days.map((d, i) => {
        const h = (d.containmentRate ?? 0) * height;
        const all = d.resolved + d.handedOff + d.abandoned;
        return (
          <g key={d.date} data-date={d.date} data-rate={d.containmentRate ?? ''}>
            <title>{`${d.date}: ${percent(d.containmentRate)} of ${all} (${d.resolved} resolved, ${d.handedOff} handed off, ${d.abandoned} abandoned)`}</title>
            <rect x={i * width + 4} y={0} width={width - 8} height={height} className="track" />
            <rect x={i * width + 4} y={height - h} width={width - 8} height={h} className="fill" />
            <text x={i * width + width / 2} y={height + 13} textAnchor="middle">
              {d.date.slice(8)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
