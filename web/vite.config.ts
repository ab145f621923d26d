import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * The agent desktop (`index.html`), the standalone web-chat page (`chat.html`) and the embeddable widget
 * loader (`widget.js`, a fixed name so that brands can paste one `<script>` tag).
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  // @vitejs/plugin-react is not a dependency: esbuild's automatic JSX runtime is all the desktop needs.
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      input: {
        desktop: here('index.html'),
        chat: here('chat.html'),
        widget: here('src/widget/widget.ts'),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'widget' ? 'widget.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
