import { createRoot } from 'react-dom/client';
import { ChatApp } from './chat-app.tsx';

const root = document.getElementById('chat-root');
if (root)
  createRoot(root).render(<ChatApp embedded={new URLSearchParams(window.location.search).has('embed')} />);
