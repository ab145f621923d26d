import { useEffect } from 'react';
import type { PublicAgent } from '../shared/types.ts';
import { AccountPage } from './account-page.tsx';
import { AdminPage } from './admin/admin-page.tsx';
import { AdminNotices } from './admin-notices.tsx';
import { ArticleEditorPage } from './article-editor.tsx';
import { BotPage } from './bot-page.tsx';
import { CaseDetailPage, CasesPage } from './cases-page.tsx';
import { ContactPage } from './contact-page.tsx';
import { ContactsPage } from './contacts-page.tsx';
import { desktop, useDesktop } from './desktop-store.ts';
import { ExportPage } from './exports/export-page.tsx';
import { InboxPage } from './inbox-page.tsx';
import { LoginPage } from './login-page.tsx';
import { Link, navigate, usePath } from './router.tsx';
import { SearchBar } from './search/search-bar.tsx';
import { SearchPage } from './search/search-page.tsx';
import { SlaAlertsToggle } from './sla/sla-alerts-toggle.tsx';
import { useSlaNotifications } from './sla/use-sla-notifications.ts';
import { MonitorPage } from './supervisor/monitor-page.tsx';
import { SupervisorPage } from './supervisor-page.tsx';
import { TranscriptPage } from './transcripts/transcript-page.tsx';

const isSupervisor = (agent: PublicAgent) => agent.role === 'supervisor' || agent.role === 'admin';

/** The desktop shell: navigation, presence and sound on the left, the page on the right. */
export function App() {
  const state = useDesktop();
  const path = usePath();
  useSlaNotifications();

  useEffect(() => {
    // Alt+1…4 move between the main pages; Escape returns to the inbox list.
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey) return;
      const target = { '1': '/inbox', '2': '/cases', '3': '/supervisor', '4': '/admin' }[event.key];
      if (target) {
        event.preventDefault();
        navigate(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (state.status === 'loading') return <div className="splash">Loading…</div>;
  if (state.status === 'signed-out' || !state.me) return <LoginPage />;
  const me = state.me;
  if (path === '/' || path === '/login') {
    navigate('/inbox', { replace: true });
    return null;
  }

  const page = (() => {
    if (path === '/inbox') return <InboxPage conversationId={null} />;
    const conversation = /^\/conversations\/([^/]+)$/.exec(path);
    if (conversation) return <InboxPage conversationId={decodeURIComponent(conversation[1] ?? '')} />;
    const transcript = /^\/conversations\/([^/]+)\/transcript$/.exec(path);
    if (transcript) return <TranscriptPage id={decodeURIComponent(transcript[1] ?? '')} />;
    if (path === '/exports') return isSupervisor(me) ? <ExportPage /> : <Forbidden what="exports" />;
    if (path === '/cases') return <CasesPage />;
    const kase = /^\/cases\/([^/]+)$/.exec(path);
    if (kase) return <CaseDetailPage id={decodeURIComponent(kase[1] ?? '')} />;
    if (path === '/contacts') return <ContactsPage />;
    if (path === '/search') return <SearchPage />;
    if (path === '/account') return <AccountPage />;
    const contact = /^\/contacts\/([^/]+)$/.exec(path);
    if (contact) return <ContactPage id={decodeURIComponent(contact[1] ?? '')} />;
    if (path === '/supervisor')
      return isSupervisor(me) ? <SupervisorPage /> : <Forbidden what="the supervisor view" />;
    const monitor = /^\/supervisor\/monitor(?:\/([^/]+))?$/.exec(path);
    if (monitor)
      return isSupervisor(me) ? (
        <MonitorPage conversationId={monitor[1] ? decodeURIComponent(monitor[1]) : null} />
      ) : (
        <Forbidden what="the supervisor monitor" />
      );
    if (path === '/supervisor/bot')
      return isSupervisor(me) ? <BotPage /> : <Forbidden what="the supervisor view" />;
    const article = /^\/articles\/([^/]+)$/.exec(path);
    if (article)
      return isSupervisor(me) ? (
        <ArticleEditorPage id={decodeURIComponent(article[1] ?? '')} />
      ) : (
        <Forbidden what="the article editor" />
      );
    if (path === '/admin' || path.startsWith('/admin/'))
      return me.role === 'admin' ? (
        <AdminPage section={path.split('/')[2] ?? 'agents'} />
      ) : (
        <Forbidden what="the admin pages" />
      );
    return (
      <div className="page">
        Nothing here. <Link to="/inbox">Back to the inbox</Link>
      </div>
    );
  })();

  const offers = state.reservations.length;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Switchboard</div>
        <NavLink to="/inbox" path={path} match={['/inbox', '/conversations']}>
          Inbox{' '}
          {offers > 0 && (
            <span className="badge" title={`${offers} offers`}>
              {offers}
            </span>
          )}
        </NavLink>
        <NavLink to="/cases" path={path} match={['/cases']}>
          Cases
        </NavLink>
        <NavLink to="/contacts" path={path} match={['/contacts']}>
          Contacts
        </NavLink>
        {isSupervisor(me) && (
          <NavLink to="/supervisor" path={path} match={['/supervisor']}>
            Supervisor
          </NavLink>
        )}
        {isSupervisor(me) && (
          <NavLink to="/exports" path={path} match={['/exports']}>
            Export
          </NavLink>
        )}
        {me.role === 'admin' && (
          <NavLink to="/admin/agents" path={path} match={['/admin']}>
            Admin
          </NavLink>
        )}
        <div className="sidebar-foot">
          <div className="me" title={me.email}>
            <span className={`dot presence-${me.presence}`} aria-hidden="true" />
            {me.name}
          </div>
          <NavLink to="/account" path={path} match={['/account']}>
            Account
          </NavLink>
          <label className="field">
            <span>Presence</span>
            <select
              aria-label="Presence"
              value={me.presence}
              onChange={(e) => void desktop.setPresence(e.target.value as PublicAgent['presence'])}
            >
              <option value="available">Available</option>
              <option value="away">Away</option>
              <option value="offline">Offline</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={state.sound} onChange={() => desktop.toggleSound()} />
            Sound on new offers
          </label>
          <SlaAlertsToggle />
          <span className={state.connected ? 'live on' : 'live off'}>
            {state.connected ? 'Live' : 'Reconnecting…'}
          </span>
          <button type="button" className="link-button" onClick={() => void desktop.signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="main with-topbar">
        <SearchBar />
        <div className="main-page">
          {me.role === 'admin' && <AdminNotices />}
          {page}
        </div>
      </main>
    </div>
  );
}

function NavLink(props: { to: string; path: string; match: string[]; children: React.ReactNode }) {
  const active = props.match.some((m) => props.path === m || props.path.startsWith(`${m}/`));
  return (
    <Link to={props.to} className={active ? 'nav-link active' : 'nav-link'}>
      {props.children}
    </Link>
  );
}

function Forbidden({ what }: { what: string }) {
  return (
    <div className="page" role="alert">
      <h1>Not allowed</h1>
      <p>Your role does not give access to {what}.</p>
    </div>
  );
}
