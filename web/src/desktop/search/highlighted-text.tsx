import type { ReactNode } from 'react';

/**
 * `text` with the `ranges` (UTF-16 offsets, `end` exclusive) in `<mark>`: React text nodes only, so that
 * whatever the text holds (HTML included) shows as written.
 */
export function HighlightedText({
  text,
  ranges,
}: {
  text: string;
  ranges: { start: number; end: number }[];
}) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const { start, end } of [...ranges].sort((a, b) => a.start - b.start)) {
    // Ranges out of order, overlapping or past the text are skipped rather than shown wrong.
    if (start < at || end <= start || end > text.length) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
