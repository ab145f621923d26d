/**
 * The embeddable web-chat widget: `<script src="https://support.example.com/widget.js" async></script>`.
 * It adds a button and, when opened, the Switchboard chat page in an iframe. The iframe is served by
 * Switchboard, so the host page's scripts never see the visitor token and the chat can reach nothing
 * but the web-chat endpoints of its own origin.
 */
(() => {
  // The loader's own labels follow the browser's language (the chat inside follows what the visitor writes
  // too). No imports and no globals: widget.js stays one classic script that any page can include.
  const labels = {
    en: { open: 'Chat', close: 'Close', openChat: 'Open chat', closeChat: 'Close chat', frame: 'Chat' },
    ar: {
      open: 'دردشة',
      close: 'إغلاق',
      openChat: 'افتح الدردشة',
      closeChat: 'أغلق الدردشة',
      frame: 'دردشة',
    },
  } as const;
  const language =
    (navigator.languages ?? [navigator.language])
      .map((tag) => tag.toLowerCase().split('-')[0])
      .find((base): base is keyof typeof labels => base === 'en' || base === 'ar') ?? 'en';
  const t = labels[language];
  const script = document.currentScript as HTMLScriptElement | null;
  const origin = script ? new URL(script.src).origin : window.location.origin;
  if (document.getElementById('switchboard-chat-button')) return;

  const button = document.createElement('button');
  button.id = 'switchboard-chat-button';
  button.type = 'button';
  button.dir = language === 'ar' ? 'rtl' : 'ltr';
  button.lang = language;
  button.setAttribute('aria-label', t.openChat);
  button.textContent = t.open;
  Object.assign(button.style, {
    position: 'fixed',
    right: '20px',
    bottom: '20px',
    zIndex: '2147483646',
    border: 'none',
    borderRadius: '28px',
    padding: '14px 20px',
    background: '#0d9488',
    color: '#fff',
    font: '600 15px system-ui, sans-serif',
    boxShadow: '0 6px 20px rgba(0,0,0,.2)',
    cursor: 'pointer',
  });

  let frame: HTMLIFrameElement | null = null;
  button.addEventListener('click', () => {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'switchboard-chat-frame';
      frame.title = t.frame;
      frame.src = `${origin}/chat?embed=1`;
      Object.assign(frame.style, {
        position: 'fixed',
        right: '20px',
        bottom: '84px',
        width: 'min(380px, calc(100vw - 40px))',
        height: 'min(560px, calc(100vh - 110px))',
        border: '1px solid #dfe1e6',
        borderRadius: '12px',
        boxShadow: '0 10px 30px rgba(0,0,0,.2)',
        zIndex: '2147483647',
        background: '#fff',
      });
      document.body.appendChild(frame);
      button.textContent = t.close;
      button.setAttribute('aria-label', t.closeChat);
      return;
    }
    const open = frame.style.display === 'none';
    frame.style.display = open ? 'block' : 'none';
    button.textContent = open ? t.close : t.open;
    button.setAttribute('aria-label', open ? t.closeChat : t.openChat);
  });
  document.body.appendChild(button);
})();
