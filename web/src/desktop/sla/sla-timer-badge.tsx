import type { SlaTimer } from '../../shared/types.ts';
import { useNow } from '../use-now.ts';
import { timersOfCase, timersOfConversation, useSlaTimers } from './sla-store.ts';
import { formatTimeLeft, metricLabel, mostUrgent, slaClock } from './time-left.ts';
import './sla.css';

/**
 * The SLA clock nearest its breach among `timers`: which one, the time left, green → amber → red, or paused;
 * ticking here between the server's updates. With none running: a dash in a table cell (`dash`), else nothing.
 */
export function SlaTimerBadge({ timers, dash = false }: { timers: readonly SlaTimer[]; dash?: boolean }) {
  const now = useNow();
  const timer = mostUrgent(timers, now);
  if (!timer) return dash ? <span className="muted sla-none">—</span> : null;
  const clock = slaClock(timer, now);
  const label = metricLabel(timer.metric);
  const text = `${clock.paused ? 'paused, ' : ''}${formatTimeLeft(clock.leftMs)}`;
  return (
    <span
      className={`sla-badge sla-${clock.tone}${clock.paused ? ' sla-paused' : ''}`}
      role="timer"
      aria-label={`SLA ${label.toLowerCase()}: ${text}`}
      data-tone={clock.tone}
      data-paused={clock.paused ? 'true' : undefined}
      title={`${label}: target ${timer.targetMinutes} business minutes`}
    >
      {label} · {text}
    </span>
  );
}

/** A conversation's clock (its responses, its case's resolution). */
export function ConversationSlaBadge(props: {
  conversation: { id: string; caseId: string | null };
  dash?: boolean;
}) {
  return (
    <SlaTimerBadge timers={timersOfConversation(useSlaTimers(), props.conversation)} dash={!!props.dash} />
  );
}

/** A case's clock. */
export function CaseSlaBadge({ caseId, dash = false }: { caseId: string; dash?: boolean }) {
  return <SlaTimerBadge timers={timersOfCase(useSlaTimers(), caseId)} dash={dash} />;
}
