import { useSlaAlertsSetting } from './use-sla-notifications.ts';

/** The sidebar switch for browser notifications of SLA warnings and breaches. */
export function SlaAlertsToggle() {
  const { state, toggle } = useSlaAlertsSetting();
  if (state === 'unsupported') return null;
  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={state === 'on'}
          disabled={state === 'blocked'}
          onChange={() => void toggle()}
        />
        SLA alerts (notifications)
      </label>
      {state === 'blocked' && (
        <span className="muted small" role="status">
          Notifications are blocked in this browser's site settings.
        </span>
      )}
    </>
  );
}
