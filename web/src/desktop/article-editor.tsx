import { useEffect, useState } from 'react';
import { ApiError, get, patch, post, query } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { renderMarkdown } from '../shared/markdown.ts';
import type { Article } from '../shared/types.ts';
import { navigate } from './router.tsx';

/** The languages the knowledge base answers in (English and Arabic first), by their own names. */
const articleLanguages = [
  ['en', 'English'],
  ['ar', 'العربية (Arabic)'],
  ['fr', 'Français (French)'],
  ['es', 'Español (Spanish)'],
  ['de', 'Deutsch (German)'],
] as const;

const rightToLeft = new Set(['ar', 'fa', 'he', 'ur']);
const isRightToLeft = (locale: string) => rightToLeft.has(locale.trim().toLowerCase().split('-')[0] ?? '');

/** The language choices, with an article's own locale (say `pt-BR` from an import) kept selectable. */
function withCurrent(locale: string): (readonly [string, string])[] {
  const known = articleLanguages.some(([code]) => code === locale);
  return known || !locale ? [...articleLanguages] : [...articleLanguages, [locale, locale] as const];
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const message = (err: unknown) => (err instanceof ApiError ? err.message : 'failed');

/** One article in the editor on a page of its own (a draft made from unanswered questions opens here). */
export function ArticleEditorPage({ id }: { id: string }) {
  return (
    <div className="page">
      <h1>Article</h1>
      <ArticlesAdmin openId={id} onDone={() => navigate('/supervisor/bot')} />
    </div>
  );
}

/** Admin → Articles: the list, and the editor with the article's language and example questions. */
export function ArticlesAdmin({ openId, onDone }: { openId?: string; onDone?: () => void } = {}) {
  const [articles, setArticles] = useState<Article[]>([]);
  const [editing, setEditing] = useState<{
    id: string | null;
    title: string;
    body: string;
    tags: string;
    locale: string;
    /** One question per line. */
    examples: string;
    published: boolean;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    get<{ articles: Article[] }>(`/articles${query({ limit: 200 })}`).then((r) => setArticles(r.articles));
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once; saving reloads explicitly
  useEffect(() => {
    if (!openId) {
      void load();
      return;
    }
    get<Article>(`/articles/${encodeURIComponent(openId)}`).then(
      (a) =>
        setEditing({
          id: a.id,
          title: a.title,
          body: a.body,
          tags: a.tags.join(', '),
          locale: a.locale,
          examples: a.examples.join('\n'),
          published: a.published,
        }),
      (err: unknown) => setError(message(err)),
    );
  }, [openId]);
  const save = async () => {
    if (!editing) return;
    setError(null);
    const body = {
      title: editing.title,
      body: editing.body,
      tags: list(editing.tags),
      locale: editing.locale.trim() || 'en',
      examples: editing.examples
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
      published: editing.published,
    };
    try {
      if (editing.id) await patch(`/articles/${editing.id}`, body);
      else await post('/articles', body);
      setEditing(null);
      if (onDone) onDone();
      else await load();
    } catch (err) {
      setError(message(err));
    }
  };
  if (editing) {
    // Arabic (and other right-to-left languages) are edited right to left; `auto` follows the text otherwise.
    const dir = isRightToLeft(editing.locale) ? 'rtl' : 'auto';
    return (
      <section className="card article-editor">
        <label className="field">
          <span>Title</span>
          <input
            aria-label="Article title"
            dir={dir}
            value={editing.title}
            onChange={(e) => setEditing({ ...editing, title: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Language</span>
          <select
            aria-label="Article language"
            value={editing.locale}
            onChange={(e) => setEditing({ ...editing, locale: e.target.value })}
          >
            {withCurrent(editing.locale).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Tags</span>
          <input
            aria-label="Article tags"
            value={editing.tags}
            onChange={(e) => setEditing({ ...editing, tags: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Example questions (one per line, in members' own words)</span>
          <textarea
            aria-label="Example questions"
            dir={dir}
            rows={4}
            value={editing.examples}
            onChange={(e) => setEditing({ ...editing, examples: e.target.value })}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={editing.published}
            onChange={(e) => setEditing({ ...editing, published: e.target.checked })}
          />
          Published
        </label>
        <div className="split">
          <label className="field">
            <span>Markdown</span>
            <textarea
              aria-label="Article body"
              dir={dir}
              rows={16}
              value={editing.body}
              onChange={(e) => setEditing({ ...editing, body: e.target.value })}
            />
          </label>
          <div className="field">
            <span>Preview</span>
            <div
              className="markdown preview-pane"
              dir={dir}
              // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by DOMPurify in renderMarkdown
              dangerouslySetInnerHTML={{ __html: renderMarkdown(editing.body) }}
            />
          </div>
        </div>
        <ErrorNote message={error} />
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              setEditing(null);
              onDone?.();
            }}
          >
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => void save()}>
            Save article
          </button>
        </div>
      </section>
    );
  }
  if (openId) return error ? <ErrorNote message={error} /> : <p className="muted">Loading the article…</p>;
  return (
    <section className="card">
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={() =>
            setEditing({
              id: null,
              title: '',
              body: '',
              tags: '',
              locale: 'en',
              examples: '',
              published: true,
            })
          }
        >
          New article
        </button>
      </div>
      <table className="table" aria-label="Articles">
        <thead>
          <tr>
            <th>Title</th>
            <th>Tags</th>
            <th>Locale</th>
            <th>Published</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {articles.map((a) => (
            <tr key={a.id}>
              <td dir="auto">
                <a href={`/kb/${encodeURIComponent(a.id)}`} target="_blank" rel="noopener noreferrer">
                  {a.title}
                </a>
              </td>
              <td>{a.tags.join(', ')}</td>
              <td>{a.locale}</td>
              <td>{a.published ? 'yes' : 'no'}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    setEditing({
                      id: a.id,
                      title: a.title,
                      body: a.body,
                      tags: a.tags.join(', '),
                      locale: a.locale,
                      examples: a.examples.join('\n'),
                      published: a.published,
                    })
                  }
                >
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
