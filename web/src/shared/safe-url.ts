/** Only web and mail links are followed; anything else (javascript:, data:) is not a link. */
export function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url, window.location.origin);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}
