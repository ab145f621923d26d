import type { ReactNode } from 'react';

/**
 * A link to something from outside (an attachment, an article), opened in a new tab; when the URL
 * did not pass the safety check (`href` is null), the label is shown as plain text instead.
 */
export function OutsideLink({ href, children }: { href: string | null; children: ReactNode }) {
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer" dir="auto">
      {children}
    </a>
  ) : (
    <span dir="auto">{children}</span>
  );
}
