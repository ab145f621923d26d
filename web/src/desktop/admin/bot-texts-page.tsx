import { useEffect, useState } from 'react';
import { api, get, put } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { ServerSelect, useServers } from '../servers.tsx';
import { message } from './admin-form.ts';

/** One key of a catalog, as `GET /bot-texts` gives it. */
export interface BotText {
  catalog: string;
  key: string;
  variables: { name: string; maxLength: number }[];
  limit: number;
  defaults: Record<string, string>;
  overrides: Record<string, BotTextEdit>;
  /** Each server's own edits, by server id then language. */
  serverOverrides: Record<string, Record<string, BotTextEdit>>;
}

interface BotTextEdit {
  text: string;
  updatedAt: string;
  updatedBy: string | null;
}

const catalogLabels: Record<string, string> = {
  core: 'Conversations (every channel)',
  discord: 'Discord',
  messaging: 'SMS and WhatsApp',
};
const languageLabels: Record<string, string> = { en: 'English', ar: 'Arabic' };

/**
 * Every text the bot says, per language: the code's default until an admin saves an edit. The server
 * checks each edit (its variables, Discord's limits, balanced markdown) and says what is wrong.
 */
export function BotTextsAdmin() {
  const [texts, setTexts] = useState<BotText[]>([]);
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string | null>(null);
  const servers = useServers();
  // '': the texts said everywhere; a server id: that server's own texts, edited apart.
  const [server, setServer] = useState('');
  useEffect(() => {
    get<{ texts: BotText[] }>('/bot-texts')
      .then((found) => setTexts(found.texts))
      .catch((err) => setError(message(err)));
  }, []);
  const replace = (entry: BotText) =>
    setTexts((all) => all.map((t) => (t.catalog === entry.catalog && t.key === entry.key ? entry : t)));
  const needle = search.trim().toLowerCase();
  const shown = needle
    ? texts.filter(
        (t) =>
          t.key.toLowerCase().includes(needle) ||
          Object.values(t.defaults).some((d) => d.toLowerCase().includes(needle)) ||
          Object.values(t.overrides).some((o) => o.text.toLowerCase().includes(needle)),
      )
    : texts;
  const catalogs = [...new Set(shown.map((t) => t.catalog))];
  return (
    <section className="card bot-texts">
      <p className="muted">
        What the bot says to members. Edit a text in a language and save it: it is said from then on, on every
        instance. A text may use only the variables listed beside it, in braces.
      </p>
      <ServerSelect servers={servers} value={server} onChange={setServer} />
      <input
        type="search"
        aria-label="Search bot texts"
        placeholder="Search by name or text"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <ErrorNote message={error} />
      {catalogs.map((catalog) => (
        <section key={catalog} aria-label={catalogLabels[catalog] ?? catalog}>
          <h2>{catalogLabels[catalog] ?? catalog}</h2>
          {shown
            .filter((t) => t.catalog === catalog)
            .map((t) => (
              <BotTextEditor key={`${server}:${t.key}`} entry={t} server={server} onSaved={replace} />
            ))}
        </section>
      ))}
      {texts.length > 0 && shown.length === 0 && <p className="muted">No text matches.</p>}
    </section>
  );
}

function BotTextEditor({
  entry,
  server,
  onSaved,
}: {
  entry: BotText;
  server: string;
  onSaved: (entry: BotText) => void;
}) {
  const id = `${entry.catalog}.${entry.key}`;
  return (
    <article className="bot-text" aria-label={id} data-key={id}>
      <h3>
        <code>{entry.key}</code>
      </h3>
      <p className="muted">
        {entry.variables.length === 0
          ? 'No variables.'
          : `Variables: ${entry.variables.map((v) => `{${v.name}} (up to ${v.maxLength} characters)`).join(', ')}.`}{' '}
        At most {entry.limit.toLocaleString('en')} characters.
      </p>
      {Object.keys(entry.defaults).map((language) => (
        <LanguageEditor key={language} entry={entry} language={language} server={server} onSaved={onSaved} />
      ))}
    </article>
  );
}

function LanguageEditor({
  entry,
  language,
  server,
  onSaved,
}: {
  entry: BotText;
  language: string;
  server: string;
  onSaved: (entry: BotText) => void;
}) {
  // In a server: its own edit, else what it says now (the global edit, else the default).
  const own = server ? entry.serverOverrides[server]?.[language] : entry.overrides[language];
  const stored = own?.text ?? entry.overrides[language]?.text ?? entry.defaults[language] ?? '';
  const [text, setText] = useState(stored);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setText(stored), [stored]);
  const path = `/bot-texts/${entry.catalog}/${entry.key}/${language}${server ? `?server=${server}` : ''}`;
  const edited = own !== undefined;
  const run = async (work: () => Promise<BotText>, done: string) => {
    setError(null);
    setSaved(null);
    try {
      onSaved(await work());
      setSaved(done);
    } catch (err) {
      setError(message(err));
    }
  };
  const label = `${entry.key} (${languageLabels[language] ?? language})`;
  return (
    <div className="bot-text-language" data-language={language}>
      <label className="bot-text-field">
        <span>
          {languageLabels[language] ?? language}
          {edited && <span className="tag">{server ? 'edited for this server' : 'edited'}</span>}
        </span>
        <textarea
          className="bot-text-input"
          aria-label={label}
          dir="auto"
          lang={language}
          rows={Math.min(6, Math.max(2, Math.ceil(text.length / 90)))}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <div className="bot-text-actions">
        <button
          type="button"
          className="primary"
          aria-label={`Save ${label}`}
          disabled={text === stored}
          onClick={() => void run(() => put<BotText>(path, { text }), 'Saved.')}
        >
          Save
        </button>
        {edited && (
          <button
            type="button"
            aria-label={`Restore the default of ${label}`}
            onClick={() => void run(() => api<BotText>('DELETE', path), 'Default restored.')}
          >
            {server ? 'Use the text of every server' : 'Restore default'}
          </button>
        )}
        {saved && (
          <span className="muted" role="status">
            {saved}
          </span>
        )}
      </div>
      <ErrorNote message={error} />
    </div>
  );
}
