import { Fragment } from 'react';
import { safeUrl } from './safe-url.ts';

const urlPattern = /(https?:\/\/[^\s<>"')\]]+)/g;

/**
 * A message's text as text: React escapes it, so markup in a message never becomes HTML. Only plain
 * http(s) URLs become links. `dir="auto"` lets Arabic and other RTL text run right to left.
 */
export function MessageBody({ text, className }: { text: string; className?: string }) {
  const parts = text.split(urlPattern);
  return (
    <div className={className ?? 'message-text'} dir="auto">
      {parts.map((part, index) => {
        const key = `${index}:${part.length}`;
        if (index % 2 === 1) {
          const href = safeUrl(part);
          if (href)
            return (
              <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
                {part}
              </a>
            );
        }
        return <Fragment key={key}>{part}</Fragment>;
      })}
    </div>
  );
}
