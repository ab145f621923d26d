const labels: Record<string, string> = {
  discord: 'Discord',
  webchat: 'Web chat',
  sms: 'SMS',
  whatsapp: 'WhatsApp',
  flex: 'Flex',
  messenger: 'Messenger',
};
const glyphs: Record<string, string> = {
  discord: 'D',
  webchat: 'W',
  sms: 'S',
  whatsapp: 'WA',
  flex: 'F',
  messenger: 'M',
};

/** A small coloured badge naming the channel (its name is the accessible label and tooltip). */
export function ChannelIcon({ channel }: { channel: string }) {
  const label = labels[channel] ?? channel;
  return (
    <span
      className={`channel channel-${glyphs[channel] ? channel : 'other'}`}
      title={label}
      role="img"
      aria-label={label}
    >
      {glyphs[channel] ?? channel.slice(0, 1).toUpperCase()}
    </span>
  );
}
