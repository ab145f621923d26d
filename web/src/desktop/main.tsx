import { createRoot } from 'react-dom/client';
import { setUnauthorizedHandler } from '../shared/api.ts';
import { App } from './app.tsx';
import { desktop } from './desktop-store.ts';

setUnauthorizedHandler(() => desktop.signedOut());
const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
void desktop.boot();
