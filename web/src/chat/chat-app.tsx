import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { MessageBody } from '../shared/message-body.tsx';
import { OutsideLink } from '../shared/outside-link.tsx';
import { safeLinkUrl, safeUrl } from '../shared/safe-url.ts';

/** A message as the web-chat endpoints show it to the visitor (src/channels/webchat). */
interface VisitorMessage {
  id: string;
  authorKind: 'contact' | 'bot' | 'agent' | 'system';
  authorName: string | null;
  text: string;
  /** Older servers sent none. */
  attachments?: { url: string; name: string }[];
  articles: { id: string; title: string; url: string }[];
  actions: { id: string; label: string }[];
  createdAt: string;
}

const tokenKey = 'switchboard.webchat.token';
const nameKey = 'switchboard.webchat.name';
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
    });
  return data;
}

/** The visitor's chat: the virtual agent first, a person on request; it resumes after a reload. */
export function ChatApp({ embedded }: { embedded: boolean }) {
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(tokenKey));
  const [messages, setMessages] = useState<VisitorMessage[]>([]);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const listRef = useRef<HTMLOListElement>(null);

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
    const merge = (incoming: VisitorMessage[]) =>
      setMessages((list) => {
        const known = new Set(list.map((m) => m.id));
        return [...list, ...incoming.filter((m) => !known.has(m.id))];
      });
    call<{ messages: VisitorMessage[] }>('GET', '/messages', token)
      .then((r) => setMessages((list) => [...r.messages, ...list.filter((m) => m.id.startsWith('local-'))]))
      .catch((err: { status?: number }) => {
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
      });
      socket.addEventListener('close', () => {
        setConnected(false);
        if (closed) return;
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
    if (body.text.trim())
      setMessages((list) => [
        ...list,
        {
          id: `local-${clientMessageId}`,
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
      setError(err instanceof Error ? err.message : 'not sent');
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
    <div className={embedded ? 'chat embedded' : 'chat'}>
      <header className="chat-head">
        <div>
          <strong>Chat with us</strong>
          <span className={connected ? 'status on' : 'status'}>
            {connected ? 'online' : token ? 'connecting…' : ''}
          </span>
        </div>
        <button type="button" onClick={() => void send({ text: 'Talk to a person', action: 'handoff' })}>
          Talk to a person
        </button>
      </header>
      <ol className="chat-messages" ref={listRef} aria-live="polite" aria-label="Messages">
        {messages.length === 0 && (
          <li className="chat-message from-bot">
            <MessageBody text="Hi! Ask me anything. If I cannot help, a person from our team will." />
          </li>
        )}
        {messages
          .filter((m) => m.text.trim() || (m.attachments?.length ?? 0) > 0)
          .map((m) => (
            <li key={m.id} className={`chat-message from-${m.authorKind}`} data-author={m.authorKind}>
              {m.authorKind === 'agent' && <span className="chat-author">{m.authorName ?? 'Agent'}</span>}
              <MessageBody text={m.text} />
              {m.attachments && m.attachments.length > 0 && (
                <ul className="chat-attachments" aria-label="Attachments">
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
                <ul className="chat-articles">
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
      {error && (
        <p className="chat-error" role="alert">
          {error}
        </p>
      )}
      <div className="chat-composer">
        <textarea
          aria-label="Your message"
          placeholder="Type a message…"
          dir="auto"
          rows={2}
          value={text}
          maxLength={4000}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="button" onClick={submit} disabled={!text.trim()}>
          Send
        </button>
      </div>
    </div>
  );
}
