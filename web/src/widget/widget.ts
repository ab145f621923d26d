/**
 * The embeddable web-chat widget: `<script src="https://support.example.com/widget.js" async></script>`.
 * It adds a button and, when opened, the Switchboard chat page in an iframe. The iframe is served by
 * Switchboard, so the host page's scripts never see the visitor token and the chat can reach nothing
 * but the web-chat endpoints of its own origin.
 */
(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const origin = script ? new URL(script.src).origin : window.location.origin;
  if (document.getElementById('switchboard-chat-button')) return;

  const button = document.createElement('button');
  button.id = 'switchboard-chat-button';
  button.type = 'button';
  button.setAttribute('aria-label', 'Open chat');
  button.textContent = 'Chat';
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
      frame.title = 'Chat';
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
      button.textContent = 'Close';
      button.setAttribute('aria-label', 'Close chat');
      return;
    }
    const open = frame.style.display === 'none';
    frame.style.display = open ? 'block' : 'none';
    button.textContent = open ? 'Close' : 'Chat';
    button.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
  });
  document.body.appendChild(button);
})();
