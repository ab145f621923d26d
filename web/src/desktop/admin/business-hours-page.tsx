import { type FormEvent, useEffect, useState } from 'react';
import { del, get, put } from '../../shared/api.ts';
import { ErrorNote } from '../../shared/error-note.tsx';
import { formatTime } from '../../shared/format.ts';
import type { BusinessHours, OpeningInterval } from '../../shared/types.ts';
import { useDesktop } from '../desktop-store.ts';
import '../sla/sla.css';
import { message } from './admin-form.ts';
import { chosenQueue, QueueSelect } from './queue-select.tsx';

interface HoursAnswer {
  businessHours: BusinessHours | null;
  open: boolean;
  nextOpening: string | null;
}
interface Form {
  timeZone: string;
  /** Per weekday (0 = Sunday), the intervals as typed: `09:00-12:00, 13:00-17:00`. */
  days: string[];
  holidays: string;
}

const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const timeZones = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

function toForm(hours: BusinessHours | null): Form {
  return {
    timeZone: hours?.timeZone ?? browserZone(),
    days: dayNames.map((_, day) =>
      (hours?.weekly ?? [])
        .filter((i) => i.day === day)
        .map((i) => `${i.open}-${i.close}`)
        .join(', '),
    ),
    holidays: (hours?.holidays ?? []).join(', '),
  };
}

const pad = (time: string) => (time.length === 4 ? `0${time}` : time);

/** The typed intervals as the API takes them; the server checks the times themselves. */
function weeklyOf(days: string[]): OpeningInterval[] {
  return days.flatMap((text, day) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((part) => {
        const m = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(part);
        if (!m?.[1] || !m[2])
          throw new Error(`${dayNames[day]}: write "${part}" as opening-closing, e.g. 09:00-17:00`);
        return { day, open: pad(m[1]), close: pad(m[2]) };
      }),
  );
}

/** Admin → Business hours: per queue, weekly hours in a time zone and holidays (SLA clocks count only these). */
export function BusinessHoursAdmin() {
  const { queues } = useDesktop();
  const [picked, setPicked] = useState('');
  const queueId = chosenQueue(queues, picked);
  const [answer, setAnswer] = useState<HoursAnswer | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (!queueId) return;
    let live = true;
    setForm(null);
    setError(null);
    setSaved(null);
    get<HoursAnswer>(`/queues/${encodeURIComponent(queueId)}/business-hours`)
      .then((a) => {
        if (!live) return;
        setAnswer(a);
        setForm(toForm(a.businessHours));
      })
      .catch((err: unknown) => live && setError(message(err)));
    return () => {
      live = false;
    };
  }, [queueId]);

  const shown = (a: HoursAnswer) => {
    setAnswer(a);
    setForm(toForm(a.businessHours));
    setError(null);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!form) return;
    setSaved(null);
    try {
      const body = {
        timeZone: form.timeZone.trim(),
        weekly: weeklyOf(form.days),
        holidays: form.holidays
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      };
      shown(await put<HoursAnswer>(`/queues/${encodeURIComponent(queueId)}/business-hours`, body));
      setSaved('Saved.');
    } catch (err) {
      // A typing mistake in the hours (thrown above) or the API's own message.
      setError(err instanceof Error ? err.message : message(err));
    }
  };
  const clear = async () => {
    setSaved(null);
    try {
      await del(`/queues/${encodeURIComponent(queueId)}/business-hours`);
      shown(await get<HoursAnswer>(`/queues/${encodeURIComponent(queueId)}/business-hours`));
      setSaved('Removed: the queue is open around the clock.');
    } catch (err) {
      setError(message(err));
    }
  };

  return (
    <section className="card">
      <p className="muted">
        SLA clocks count only business hours, and outside them the bot tells members when a person is back. A
        queue without business hours is open around the clock.
      </p>
      <QueueSelect queues={queues} value={queueId} onChange={setPicked} />
      {answer && (
        <p role="status" aria-label="Opening">
          {answer.businessHours === null
            ? 'Open around the clock (no business hours set).'
            : answer.open
              ? 'Open now.'
              : `Closed now${answer.nextOpening ? `; opens ${formatTime(answer.nextOpening)}` : ''}.`}
        </p>
      )}
      {form && (
        <form aria-label="Business hours" onSubmit={(e) => void save(e)}>
          <label className="field">
            <span>Time zone</span>
            <input
              aria-label="Time zone"
              list="time-zones"
              required
              value={form.timeZone}
              onChange={(e) => setForm({ ...form, timeZone: e.target.value })}
            />
            <datalist id="time-zones">
              {timeZones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
          <fieldset className="business-week">
            <legend>Weekly hours (empty: closed all day; several: 09:00-12:00, 13:00-17:00)</legend>
            {dayNames.map((name, day) => (
              <label key={name} className="field">
                <span>{name}</span>
                <input
                  aria-label={name}
                  placeholder="closed"
                  value={form.days[day] ?? ''}
                  onChange={(e) =>
                    setForm({ ...form, days: form.days.map((d, i) => (i === day ? e.target.value : d)) })
                  }
                />
              </label>
            ))}
          </fieldset>
          <label className="field">
            <span>Holidays (dates closed all day, YYYY-MM-DD, comma separated)</span>
            <input
              aria-label="Holidays"
              value={form.holidays}
              onChange={(e) => setForm({ ...form, holidays: e.target.value })}
            />
          </label>
          <div className="actions">
            {answer?.businessHours && (
              <button type="button" onClick={() => void clear()}>
                Open around the clock
              </button>
            )}
            <button type="submit" className="primary">
              Save business hours
            </button>
          </div>
        </form>
      )}
      {saved && (
        <p className="muted" role="status">
          {saved}
        </p>
      )}
      <ErrorNote message={error} />
    </section>
  );
}
