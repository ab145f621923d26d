import { useEffect, useState } from 'react';
import { get } from '../shared/api.ts';
import type { AdminNotice } from '../shared/types.ts';
import { desktop } from './desktop-store.ts';
import { Link } from './router.tsx';

/** Sent by a page whose change may end a notice (a webhook turned on again): the banner asks again. */
export const noticesChanged = 'switchboard:notices-changed';

const where: Record<string, string> = { 'webhook.disabled': '/admin/webhooks' };
const dismissedKey = 'switchboard.dismissed-notices';
const keyOf = (n: AdminNotice) => `${n.kind}:${n.subjectId ?? ''}:${n.at}`;

/**
 * The admins' banner: what needs one of them now (a webhook endpoint disabled after a day of failures),
 * loaded at sign-in and again on every live `admin.notice`. A dismissed notice stays hidden for this
 * browser session; a new one (another time, another endpoint) shows again.
 */
export function AdminNotices() {
  const [notices, setNotices] = useState<AdminNotice[]>([]);
  const [dismissed, setDismissed] = useState<string[]>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(dismissedKey) ?? '[]') as string[];
    } catch {
      return [];
    }
  });

  useEffect(() => {
    let live = true;
    const load = () => {
      get<{ notices: AdminNotice[] }>('/notices')
        .then((answer) => {
          if (live) setNotices(answer.notices);
        })
        .catch(() => {});
    };
    load();
    const stop = desktop.onEvent((event) => {
      if (event.type === 'admin.notice') load();
    });
    window.addEventListener(noticesChanged, load);
    return () => {
      live = false;
      stop();
      window.removeEventListener(noticesChanged, load);
    };
  }, []);

  const shown = notices.filter((n) => !dismissed.includes(keyOf(n)));
  if (shown.length === 0) return null;
  const dismiss = (notice: AdminNotice) => {
    const next = [...dismissed, keyOf(notice)];
    sessionStorage.setItem(dismissedKey, JSON.stringify(next));
    setDismissed(next);
  };
  return (
    <section className="admin-notices" aria-label="Notices for admins">
      {shown.map((notice) => (
        <div key={keyOf(notice)} className="admin-notice" role="alert">
          <span>{notice.text}</span>
          {where[notice.kind] && <Link to={where[notice.kind] ?? '/admin'}>Open</Link>}
          <button type="button" className="link-button" onClick={() => dismiss(notice)}>
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}
