/**
 * CSV as RFC 4180 has it (fields with a quote, comma or line break quoted, quotes doubled; CRLF between
 * records), and safe to open in a spreadsheet: a field that starts like a formula (`=`, `+`, `-`, `@`, or a
 * tab or carriage return before one) gets a leading `'`, so that outside text is never run as one.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRecord(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
