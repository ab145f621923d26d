/** Only web and mail links are followed; anything else (javascript:, data:) is not a link. */
export function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url, window.location.origin);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Attachments and other files: http(s) only (a relative URL resolves against this origin). */
export function safeLinkUrl(url: string): string | null {
  const href = safeUrl(url);
  return href && /^https?:/.test(href) ? href : null;
}
