import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { MessageBody } from '../shared/message-body.tsx';
import { OutsideLink } from '../shared/outside-link.tsx';
import { safeLinkUrl, safeUrl } from '../shared/safe-url.ts';
import {
  browserLanguage,
  type ChatLanguage,
  chatLanguages,
  chatTexts,
  directionOf,
  writtenLanguage,
} from './chat-texts.ts';
import { mergeMessages, type VisitorMessage } from './merge-messages.ts';

const tokenKey = 'switchboard.webchat.token';
const nameKey = 'switchboard.webchat.name';
const languageKey = 'switchboard.webchat.language';
const base = '/api/v1/webchat';

async function call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { 'x-webchat-token': token } : {}),
    },
    credentials: 'omit',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = (await response.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!response.ok)
    throw Object.assign(new Error(data.error?.message ?? `failed (${response.status})`), {
      status: response.status,
    }) as Error & { status: number };
  return data;
}

/** The visitor's chat: the virtual agent first, a person on request; it resumes after a reload. */
export function ChatApp({ embedded }: { embedded: boolean }) {
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(tokenKey));
  const [messages, setMessages] = useState<VisitorMessage[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const [blocked, setBlocked] = useState(false);
  // Until the visitor's history has arrived the list is not complete (aria-busy says so).
  const [loading, setLoading] = useState(false);
  // The widget's labels: the language the visitor last wrote in, else the browser's.
  const [language, setLanguage] = useState<ChatLanguage>(() => {
    const saved = localStorage.getItem(languageKey);
    return (
      chatLanguages.find((l) => l === saved) ?? browserLanguage(navigator.languages ?? [navigator.language])
    );
  });
  const t = chatTexts(language);
  const dir = directionOf(language);
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    // The standalone page (and the widget's frame) as a whole, so that the browser's own parts follow too.
    document.documentElement.lang = language;
    document.documentElement.dir = dir;
    document.title = t.title;
  }, [language, dir, t.title]);

  const ensureToken = useCallback(async (): Promise<string> => {
    if (token) return token;
    const session = await call<{ token: string }>('POST', '/sessions', null, {});
    localStorage.setItem(tokenKey, session.token);
    setToken(session.token);
    return session.token;
  }, [token]);

  // Resume: the history of this visitor, then live messages over a WebSocket.
  useEffect(() => {
    if (!token) return;
    let closed = false;
    let socket: WebSocket | null = null;
    let retry = 0;
    const merge = (incoming: VisitorMessage[]) => setMessages((list) => mergeMessages(list, incoming));
    setLoading(true);
    call<{ messages: VisitorMessage[]; blocked?: boolean }>('GET', '/messages', token)
      .then((r) => {
        setBlocked(r.blocked === true);
        merge(r.messages);
        setLoading(false);
      })
      .catch((err: { status?: number }) => {
        setLoading(false);
        if (err.status === 401) {
          localStorage.removeItem(tokenKey);
          setToken(null);
        }
      });
    const connect = () => {
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      socket = new WebSocket(`${scheme}://${window.location.host}${base}/live`);
      // The token goes in the first frame, not the URL, so that it never lands in an access log.
      socket.addEventListener('open', () => socket?.send(JSON.stringify({ type: 'auth', token })));
      socket.addEventListener('message', (event) => {
        const data = JSON.parse(String(event.data)) as { type: string; message?: VisitorMessage };
        if (data.type === 'ready') {
          setConnected(true);
          if (retry > 0)
            call<{ messages: VisitorMessage[] }>('GET', '/messages', token)
              .then((r) => merge(r.messages))
              .catch(() => {});
          retry = 0;
        }
        if (data.type === 'message' && data.message) merge([data.message]);
        if (data.type === 'blocked') setBlocked(true);
      });
      socket.addEventListener('close', (event) => {
        setConnected(false);
        // 4003: the team blocked this visitor; reconnecting would only be refused again.
        if (event.code === 4003) setBlocked(true);
        if (closed || event.code === 4003) return;
        retry += 1;
        setTimeout(connect, Math.min(15_000, 500 * 2 ** retry));
      });
    };
    connect();
    return () => {
      closed = true;
      socket?.close();
    };
  }, [token]);

  useEffect(() => {
    const list = listRef.current;
    if (list && messages.length > 0) list.scrollTop = list.scrollHeight;
  }, [messages.length]);

  const send = async (body: { text: string; action?: string }) => {
    setError(null);
    const clientMessageId = crypto.randomUUID();
    // Typed text (not a button's label) tells the language the visitor writes in.
    const written = body.action ? null : writtenLanguage(body.text);
    if (written && written !== language) {
      setLanguage(written);
      localStorage.setItem(languageKey, written);
    }
    if (body.text.trim())
      setMessages((list) => [
        ...list,
        {
          id: `local-${clientMessageId}`,
          clientMessageId,
          local: true,
          authorKind: 'contact',
          authorName: null,
          text: body.text,
          articles: [],
          actions: [],
          createdAt: new Date().toISOString(),
        },
      ]);
    try {
      const current = await ensureToken();
      const name = localStorage.getItem(nameKey);
      await call('POST', '/messages', current, { ...body, clientMessageId, ...(name ? { name } : {}) });
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 403) setBlocked(true);
      else if (status === 429) setError(t.tooMany);
      else setError(err instanceof Error ? `${t.notSent}: ${err.message}` : t.notSent);
    }
  };

  const submit = () => {
    const value = text.trim();
    if (!value) return;
    setText('');
    void send({ text: value });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  const lastActions = [...messages].reverse().find((m) => m.authorKind !== 'contact')?.actions ?? [];
  const lastId = [...messages].reverse().find((m) => m.authorKind !== 'contact')?.id;

  return (
    <div className={embedded ? 'chat embedded' : 'chat'} dir={dir} lang={language}>
      <header className="chat-head">
        <div>
          <strong>{t.title}</strong>
          <span className={connected ? 'status on' : 'status'}>
            {connected ? t.online : token && !blocked ? t.connecting : ''}
          </span>
        </div>
        <button
          type="button"
          disabled={blocked}
          onClick={() => void send({ text: t.talkToPerson, action: 'handoff' })}
        >
          {t.talkToPerson}
        </button>
      </header>
      <ol
        className="chat-messages"
        ref={listRef}
        aria-live="polite"
        aria-label={t.messages}
        aria-busy={loading}
      >
        {messages.length === 0 && (
          <li className="chat-message from-bot">
            <MessageBody text={t.greeting} />
          </li>
        )}
        {messages
          .filter((m) => m.text.trim() || (m.attachments?.length ?? 0) > 0)
          .map((m) => (
            <li key={m.id} className={`chat-message from-${m.authorKind}`} data-author={m.authorKind}>
              {m.authorKind === 'agent' && <span className="chat-author">{m.authorName ?? t.agent}</span>}
              <MessageBody text={m.text} />
              {m.attachments && m.attachments.length > 0 && (
                <ul className="chat-attachments" aria-label={t.attachments}>
                  {m.attachments.map((a) => {
                    const href = safeLinkUrl(a.url);
                    return (
                      <li key={a.url}>
                        <OutsideLink href={href}>{a.name}</OutsideLink>
                      </li>
                    );
                  })}
                </ul>
              )}
              {m.articles.length > 0 && (
                <ul className="chat-articles" aria-label={t.articles}>
                  {m.articles.map((a) => {
                    const href = safeUrl(a.url);
                    // The passage that answers, steps included (servers before excerpts sent none).
                    const excerpt = 'excerpt' in a && typeof a.excerpt === 'string' ? a.excerpt : '';
                    return (
                      <li key={a.id}>
                        <OutsideLink href={href}>{a.title}</OutsideLink>
                        {excerpt && <MessageBody className="message-text chat-excerpt" text={excerpt} />}
                      </li>
                    );
                  })}
                </ul>
              )}
              {m.id === lastId && lastActions.length > 0 && (
                <div className="chat-actions">
                  {lastActions.map((action) => (
                    <button
                      key={action.id}
                      type="button"
                      disabled={blocked}
                      onClick={() => void send({ text: action.label, action: action.id })}
                    >
                      {action.label}
                    </button>
                  ))}
                </div>
              )}
            </li>
          ))}
      </ol>
      {blocked && (
        <p className="chat-error" role="alert">
          {t.blocked}
        </p>
      )}
      {error && !blocked && (
        <p className="chat-error" role="alert">
          {error}
        </p>
      )}
      <div className="chat-composer">
        <textarea
          aria-label={t.yourMessage}
          placeholder={t.placeholder}
          dir="auto"
          rows={2}
          value={text}
          maxLength={4000}
          disabled={blocked}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="button" onClick={submit} disabled={blocked || !text.trim()}>
          {t.send}
        </button>
      </div>
    </div>
  );
}
