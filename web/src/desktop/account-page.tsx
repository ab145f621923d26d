import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, del, get, post } from '../shared/api.ts';
import { ErrorNote } from '../shared/error-note.tsx';
import { formatTime } from '../shared/format.ts';
import type { PublicApiToken } from '../shared/types.ts';
import { desktop, useDesktop } from './desktop-store.ts';

const minPasswordLength = 8;
const message = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

/** The signed-in agent's own account: their password and their API tokens. */
export function AccountPage() {
  const { me } = useDesktop();
  return (
    <div className="page account">
      <h1>Account</h1>
      {me && (
        <p className="muted">
          Signed in as <span dir="auto">{me.name}</span> ({me.email}), {me.role}
        </p>
      )}
      <PasswordForm />
      <ApiTokens />
    </div>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(false);
    // Said here, before the server is asked, so the agent knows which field to fix.
    if (next.length < minPasswordLength)
      return setError(`The new password needs at least ${minPasswordLength} characters.`);
    if (next !== confirm) return setError('The new password and its confirmation are not the same.');
    setBusy(true);
    try {
      await desktop.changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
    } catch (err) {
      setError(message(err, 'The password was not changed; try again.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card">
      <h2>Password</h2>
      <form className="stacked-form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Current password</span>
          <input
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <label className="field">
          <span>New password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Confirm new password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        </label>
        <ErrorNote message={error} />
        {done && (
          <p className="ok" role="status">
            Password changed. Your other sign-ins and API tokens have ended; this desktop stays signed in.
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Change password
        </button>
      </form>
    </section>
  );
}

const expiryChoices = [
  ['', 'Never (until revoked)'],
  ['7', '7 days'],
  ['30', '30 days'],
  ['90', '90 days'],
  ['365', '1 year'],
] as const;

function ApiTokens() {
  const [tokens, setTokens] = useState<PublicApiToken[]>([]);
  const [name, setName] = useState('');
  const [expiresInDays, setExpiresInDays] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  /** Set when the server wants a recent sign-in before it mints a token. */
  const [askPassword, setAskPassword] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    () =>
      get<{ tokens: PublicApiToken[] }>('/auth/tokens')
        .then((r) => setTokens(r.tokens))
        .catch((err: unknown) => setError(message(err, 'Could not load your API tokens.'))),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const mint = () =>
    post<{ token: string; apiToken: PublicApiToken }>('/auth/tokens', {
      name: name.trim(),
      ...(expiresInDays ? { expiresInDays: Number(expiresInDays) } : {}),
    });

  const onCreated = (result: { token: string; apiToken: PublicApiToken }) => {
    setCreated({ name: result.apiToken.name, token: result.token });
    setName('');
    setExpiresInDays('');
    setAskPassword(false);
    setPassword('');
    void load();
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setCreated(null);
    setBusy(true);
    try {
      onCreated(await mint());
    } catch (err) {
      if (err instanceof ApiError && err.status === 403 && err.details?.reason === 'reauthenticate') {
        setAskPassword(true);
      } else setError(message(err, 'The token was not created.'));
    } finally {
      setBusy(false);
    }
  };

  /** Signs in again with the typed password, then creates the token that was asked for. */
  const confirmAndCreate = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await desktop.reauthenticate(password);
    } catch (err) {
      setBusy(false);
      setPassword('');
      return setError(
        err instanceof ApiError && err.status === 401
          ? 'That password is not right; try again.'
          : message(err, 'Could not confirm your password.'),
      );
    }
    try {
      onCreated(await mint());
    } catch (err) {
      setError(message(err, 'The token was not created.'));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (token: PublicApiToken) => {
    setError(null);
    try {
      await del(`/auth/tokens/${encodeURIComponent(token.id)}`);
      await load();
    } catch (err) {
      setError(message(err, 'The token was not revoked.'));
    }
  };

  return (
    <section className="card">
      <h2>API tokens</h2>
      <p className="muted">
        A token lets a script or integration use the API as you (header <code>Authorization: Bearer …</code>).
        Changing your password ends all of them.
      </p>
      <div className="table-wrap">
        <table className="table" aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td dir="auto">{t.name}</td>
                <td>{formatTime(t.createdAt)}</td>
                <td>{t.expiresAt ? formatTime(t.expiresAt) : 'Never'}</td>
                <td>
                  <button type="button" aria-label={`Revoke ${t.name}`} onClick={() => void revoke(t)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
            {tokens.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  No API tokens.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {created && (
        <div className="new-token" role="status">
          <p>
            Token <strong dir="auto">{created.name}</strong> created. Copy it now: it is not shown again.
          </p>
          <input
            className="token-secret"
            aria-label="New API token"
            readOnly
            value={created.token}
            onFocus={(e) => e.target.select()}
          />{' '}
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {askPassword ? (
        <form className="inline-form" onSubmit={(e) => void confirmAndCreate(e)}>
          <p>Creating a token needs a recent sign-in. Type your password to continue.</p>
          <input
            aria-label="Your password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            Confirm and create
          </button>
          <button type="button" onClick={() => setAskPassword(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <form className="inline-form" onSubmit={(e) => void create(e)}>
          <input
            aria-label="Token name"
            required
            maxLength={100}
            placeholder="name, e.g. CRM sync"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <select
            aria-label="Expires"
            value={expiresInDays}
            onChange={(e) => setExpiresInDays(e.target.value)}
          >
            {expiryChoices.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <button type="submit" className="primary" disabled={busy}>
            Create token
          </button>
        </form>
      )}
      <ErrorNote message={error} />
    </section>
  );
}
