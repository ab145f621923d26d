/** A saved reply an agent inserts with `/shortcut`. */
export interface CannedResponse {
  shortcut: string;
  text: string;
}

const key = 'switchboard.cannedResponses';

const defaults: CannedResponse[] = [
  { shortcut: 'hello', text: 'Hi! Thanks for reaching out, I am looking into this now.' },
  { shortcut: 'moment', text: 'Give me a moment while I check that for you.' },
  { shortcut: 'bye', text: 'Is there anything else I can help you with? Have a great day!' },
];

// The API has no canned-response routes yet: they live in this browser until it does.
export function loadCannedResponses(): CannedResponse[] {
  try {
    const stored = JSON.parse(localStorage.getItem(key) ?? 'null') as unknown;
    if (Array.isArray(stored))
      return stored.filter(
        (r): r is CannedResponse =>
          typeof r === 'object' && r !== null && typeof r.shortcut === 'string' && typeof r.text === 'string',
      );
  } catch {
    // A corrupt entry falls back to the defaults.
  }
  return defaults;
}

export function saveCannedResponses(responses: CannedResponse[]): void {
  localStorage.setItem(key, JSON.stringify(responses));
}
