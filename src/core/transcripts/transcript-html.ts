import type { TimelineEntry } from '../model.ts';
import type { Transcript, TranscriptEntry } from './transcript.ts';

/** Every character HTML gives a meaning to, in text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"'`]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c] ?? c,
  );
}

/** Only web links become links: `javascript:` and the like stay text. */
const isWebLink = (url: string) => /^https?:\/\//i.test(url);

export interface TranscriptHtmlOptions {
  /** What the member receives leaves out the case's timeline (internal notes are for agents only). */
  audience: 'team' | 'member';
  /** Turns a same-origin path (`/uploads/…`) into a link that works outside the desktop. */
  baseUrl?: string | null;
}

const styles = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans Arabic",sans-serif;color:#1b1f24;margin:0 auto;max-width:760px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dt{color:#57606a}dd{margin:0}
ol.entries{list-style:none;padding:0;margin:0}
li.message{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:8px 0;break-inside:avoid}
li.message.agent{background:#f0f6ff}li.message.bot{background:#f6f8fa}li.message.system{background:#fff8e5}
li.event{color:#57606a;font-size:13px;text-align:center;margin:8px 0}
.who{font-weight:600}.when{color:#57606a;font-size:12px;margin-left:8px}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin-top:2px}
ul.files,ul.articles{margin:4px 0 0;padding-left:20px;font-size:13px}
ol.timeline{font-size:13px;padding-left:20px}
@media print{body{max-width:none;padding:0;font-size:12px}a{color:inherit}a[href]::after{content:" (" attr(href) ")";font-size:10px;color:#57606a}li.message{border-color:#999}}
`;

function link(url: string, label: string, baseUrl: string | null | undefined): string {
  const absolute = url.startsWith('/') && baseUrl ? `${baseUrl.replace(/\/$/, '')}${url}` : url;
  if (!isWebLink(absolute)) return escapeHtml(label);
  return `<a href="${escapeHtml(absolute)}" rel="noopener noreferrer">${escapeHtml(label)}</a>`;
}

function entryHtml(entry: TranscriptEntry, options: TranscriptHtmlOptions): string {
  const when = `<time class="when" datetime="${escapeHtml(entry.at)}">${escapeHtml(formatTime(entry.at))}</time>`;
  if (entry.type === 'event') return `<li class="event">${escapeHtml(entry.text)} ${when}</li>`;
  const files = entry.attachments.length
    ? `<ul class="files" aria-label="Attachments">${entry.attachments
        .map((a) => `<li>${link(a.url, a.name, options.baseUrl)}</li>`)
        .join('')}</ul>`
    : '';
  const articles = entry.articles.length
    ? `<ul class="articles" aria-label="Suggested articles">${entry.articles
        .map((a) => `<li>Suggested: ${link(a.url, a.title, options.baseUrl)}</li>`)
        .join('')}</ul>`
    : '';
  return `<li class="message ${escapeHtml(entry.authorKind)}"><span class="who">${escapeHtml(entry.authorName)}</span>${when}<div class="text">${escapeHtml(entry.text)}</div>${files}${articles}</li>`;
}

/** `2026-03-01 09:00 UTC`: the same in every reader's time zone, as a record should be. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A line of the case's timeline in words. */
export function describeTimelineEntry(entry: TimelineEntry): string {
  const data = entry.data;
  const value = (key: string) => {
    const v = data[key];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v ?? null);
  };
  switch (entry.type) {
    case 'created':
      return 'Case opened';
    case 'status':
      return `Status: ${value('from')} → ${value('to')}`;
    case 'priority':
      return `Priority: ${value('from')} → ${value('to')}`;
    case 'note':
      return `Note: ${value('text')}`;
    case 'rating':
      return `Rated ${value('rating')} of 5`;
    case 'conversation_linked':
      return 'Conversation linked';
    default:
      return `${entry.type}: ${JSON.stringify(data)}`;
  }
}

/**
 * The transcript as one self-contained HTML file: inline styles (a print stylesheet included), no script,
 * nothing loaded from elsewhere, and every outside text escaped.
 */
export function renderTranscriptHtml(transcript: Transcript, options: TranscriptHtmlOptions): string {
  const { conversation, contact, queue, agent } = transcript;
  const kase = transcript.case;
  const title = kase
    ? `Case #${kase.number}: ${kase.subject}`
    : `Conversation with ${contact?.name ?? 'a contact'}`;
  const facts: [string, string][] = [
    ['Contact', contact?.name ?? '—'],
    ['Channel', conversation.channel],
    ['Started', formatTime(conversation.createdAt)],
    ['Closed', conversation.closedAt ? formatTime(conversation.closedAt) : 'not closed'],
    ['Queue', queue?.name ?? '—'],
    ['Agent', agent?.name ?? '—'],
  ];
  if (kase) {
    facts.push(['Case', `#${kase.number} ${kase.subject}`]);
    facts.push(['Case status', `${kase.status} (${kase.kind}, ${kase.priority})`]);
  }
  if (options.audience === 'team' && conversation.wrapUpNote)
    facts.push(['Wrap-up note', conversation.wrapUpNote]);
  const timeline =
    options.audience === 'team' && transcript.caseTimeline.length
      ? `<h2>Case timeline</h2><ol class="timeline">${transcript.caseTimeline
          .map(
            (e) =>
              `<li>${escapeHtml(describeTimelineEntry(e))} <time class="when" datetime="${escapeHtml(e.at)}">${escapeHtml(formatTime(e.at))}</time></li>`,
          )
          .join('')}</ol>`
      : '';
  return `<!doctype html>
<html lang="${escapeHtml(conversation.language ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<h2>Messages</h2>
<ol class="entries" dir="auto">${transcript.entries.map((e) => entryHtml(e, options)).join('\n')}</ol>
${timeline}
<p class="when">Transcript made ${escapeHtml(formatTime(transcript.generatedAt))}</p>
</body>
</html>
`;
}
