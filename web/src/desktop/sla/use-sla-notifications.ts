import { useEffect, useState } from 'react';
import { get } from '../../shared/api.ts';
import type { Case, SlaTimer } from '../../shared/types.ts';
import { desktop } from '../desktop-store.ts';
import { navigate } from '../router.tsx';
import { formatTimeLeft, metricLabel, slaClock } from './time-left.ts';

const settingKey = 'switchboard.slaAlerts';
const supported = () => typeof window !== 'undefined' && 'Notification' in window;

export type SlaAlertsState = 'on' | 'off' | 'blocked' | 'unsupported';

function currentState(): SlaAlertsState {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  return Notification.permission === 'granted' && localStorage.getItem(settingKey) === 'on' ? 'on' : 'off';
}

/**
 * Whether this desktop shows browser notifications of SLA warnings and breaches, and a switch for it: the
 * browser asks for permission only when the person turns it on (never on its own at sign-in).
 */
export function useSlaAlertsSetting(): { state: SlaAlertsState; toggle: () => Promise<void> } {
  const [state, setState] = useState(currentState);
  const toggle = async () => {
    if (!supported()) return;
    if (state === 'on') {
      localStorage.setItem(settingKey, 'off');
    } else {
      const permission =
        Notification.permission === 'default'
          ? await Notification.requestPermission()
          : Notification.permission;
      if (permission === 'granted') localStorage.setItem(settingKey, 'on');
    }
    setState(currentState());
  };
  return { state, toggle };
}

/** Where a notification's click leads: the holder to the conversation, a supervisor to the monitor, else the case. */
function pathOf(timer: SlaTimer, holder: boolean, caseNumber: number | null): string {
  if (timer.conversationId)
    return holder
      ? `/conversations/${encodeURIComponent(timer.conversationId)}`
      : `/supervisor/monitor/${encodeURIComponent(timer.conversationId)}`;
  return `/cases/${caseNumber ?? encodeURIComponent(timer.caseId)}`;
}

async function notify(timer: SlaTimer, alert: 'warning' | 'breach', holder: boolean): Promise<void> {
  const kase = await get<{ case: Case }>(`/cases/${encodeURIComponent(timer.caseId)}`)
    .then((r) => r.case)
    .catch(() => null);
  const what = metricLabel(timer.metric).toLowerCase();
  const title = alert === 'breach' ? `SLA breached: ${what}` : `SLA due soon: ${what}`;
  const left = alert === 'breach' ? 'target missed' : formatTimeLeft(slaClock(timer, Date.now()).leftMs);
  const body = [
    kase ? `Case #${kase.number}: ${kase.subject}` : 'A case',
    `${left} (target ${timer.targetMinutes} min)`,
  ]
    .filter(Boolean)
    .join('\n');
  // One notification per clock and alert, however many tabs of the desktop are open.
  const notification = new Notification(title, { body, tag: `sla-${timer.id}-${alert}` });
  const path = pathOf(timer, holder, kase?.number ?? null);
  notification.onclick = () => {
    window.focus();
    navigate(path);
    notification.close();
  };
}

/**
 * Browser notifications when an SLA clock turns amber (warning) or red (breach): to the agent holding the
 * conversation or case, and to supervisors and admins, when they turned SLA alerts on.
 */
export function useSlaNotifications(): void {
  useEffect(
    () =>
      desktop.onEvent((event) => {
        if (event.type !== 'sla.timer' || !event.alert || currentState() !== 'on') return;
        const me = desktop.getState().me;
        if (!me) return;
        const holder = event.timer.agentId === me.id;
        if (!holder && me.role === 'agent') return;
        void notify(event.timer, event.alert, holder);
      }),
    [],
  );
}
