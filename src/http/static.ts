import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Marked, type Tokens } from 'marked';
import { DomainError } from '../core/errors.ts';
import type { Article } from '../core/model.ts';

/** The built desktop (`npm run build`). */
export const webDistDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface DesktopRoutesOptions {
  /**
   * Published articles for `/kb/:id`: undefined (or a `not_found` DomainError) when there is none; any
   * other failure is answered with a 500 and logged.
   */
  articles: { get(id: string): Promise<Article | undefined> };
  /** Where the build is. */
  root?: string;
  /** Sites allowed to frame `/chat` (the widget's iframe); `*` lets any site embed the widget. */
  chatFrameAncestors?: string[];
}

/** Client-side routes of the desktop: each answers with `index.html`. */
const desktopRoutes = [
  '/',
  '/login',
  '/inbox',
  '/conversations/*',
  '/cases',
  '/cases/*',
  '/contacts',
  '/contacts/*',
  '/account',
  '/supervisor',
  '/supervisor/*',
  '/articles/*',
  '/admin',
  '/admin/*',
  '/exports',
];

// The desktop's CSP: helmet's default, plus avatars from Discord's CDN (any https image) and no `upgrade-insecure-requests`, which would break plain-HTTP LAN installs.
const desktopCsp = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "img-src 'self' data: https:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/**
 * Serves the web build: the agent desktop at `/` (with its client-side routes), the web-chat page at
 * `/chat`, the widget loader at `/widget.js`, hashed assets under `/assets/`, and public knowledge-base
 * articles at `/kb/:id` rendered from Markdown on the server. Register it in its own scope:
 * `app.register(async (scope) => desktopStaticRoutes(scope, { articles }))`.
 */
export async function desktopStaticRoutes(
  app: FastifyInstance,
  options: DesktopRoutesOptions,
): Promise<void> {
  const root = options.root ?? webDistDir;
  const built = existsSync(`${root}/index.html`);
  const frameAncestors = (options.chatFrameAncestors ?? ['*']).join(' ');
  // `serve: false`: only `reply.sendFile`; every route below declares its role as the app requires.
  await app.register(fastifyStatic, { root, serve: false, index: false });

  const page = (reply: FastifyReply, file: string, csp: string) => {
    if (!built)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The desktop is not built: run `npm run build` (npm install does it).');
    void reply.header('content-security-policy', csp).header('cache-control', 'no-cache');
    return reply.sendFile(file);
  };

  for (const url of desktopRoutes) {
    app.get(url, { config: { role: 'public' }, schema: { hide: true } }, (_request, reply) =>
      page(reply, 'index.html', desktopCsp),
    );
  }

  app.get('/chat', { config: { role: 'public' }, schema: { hide: true } }, (_request, reply) => {
    // The widget frames this page on the brand's own site.
    void reply.removeHeader('x-frame-options');
    return page(
      reply,
      'chat.html',
      desktopCsp.replace("frame-ancestors 'self'", `frame-ancestors ${frameAncestors}`),
    );
  });

  app.get('/widget.js', { config: { role: 'public' }, schema: { hide: true } }, (_request, reply) => {
    if (!built) return reply.code(404).send();
    // Loaded by <script> tags on other sites.
    void reply
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('cache-control', 'public, max-age=300');
    return reply.sendFile('widget.js');
  });

  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    { config: { role: 'public' }, schema: { hide: true } },
    (request, reply) => {
      const file = request.params['*'];
      if (!/^[\w.-]+$/.test(file)) return reply.code(404).send();
      // Names carry a content hash: cache for good.
      void reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.sendFile(`assets/${file}`);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/kb/:id',
    { config: { role: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      void reply
        .header(
          'content-security-policy',
          "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
        )
        .type('text/html; charset=utf-8');
      let article: Article | undefined;
      try {
        article = await options.articles.get(request.params.id);
      } catch (error) {
        // "No such article" is the member's answer; anything else (the database is down) is ours.
        if (!(error instanceof DomainError && error.kind === 'not_found')) {
          request.log.error(
            { err: error, articleId: request.params.id },
            'knowledge-base article not loaded',
          );
          return reply
            .code(500)
            .send(
              articlePage(
                'Article unavailable',
                '<p>This article cannot be shown right now. Please try again in a moment.</p>',
                'en',
              ),
            );
        }
      }
      if (!article?.published)
        return reply
          .code(404)
          .send(
            articlePage('Article not found', '<p>This article does not exist or is not published.</p>', 'en'),
          );
      return reply.send(articlePage(article.title, renderArticle(article.body), article.locale));
    },
  );
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Links and images may only point at the web (or a mailbox, or within the page). */
const safeHref = (href: string, images = false) =>
  (images ? /^(https?:|\/(?!\/))/i : /^(https?:|mailto:|\/(?!\/)|#)/i).test(href.trim()) ? href.trim() : null;

/**
 * Article Markdown to HTML without a DOM to sanitize in: raw HTML in the Markdown is shown as text,
 * and links or images with any other scheme (`javascript:`, `data:`) lose their URL.
 */
const articleMarked = new Marked({ gfm: true, async: false }).use({
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      if (!href) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      return `<a href="${escapeHtml(href)}"${title} rel="noopener noreferrer nofollow">${text}</a>`;
    },
    image(token: Tokens.Image) {
      const src = safeHref(token.href, true);
      if (!src) return escapeHtml(token.text);
      return `<img src="${escapeHtml(src)}" alt="${escapeHtml(token.text)}">`;
    },
  },
});

export function renderArticle(markdown: string): string {
  return articleMarked.parse(markdown) as string;
}

const rtlLocales = /^(ar|he|fa|ur|ps|yi)(-|$)/i;

function articlePage(title: string, body: string, locale: string): string {
  const lang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale) ? locale : 'en';
  return `<!doctype html>
<html lang="${lang}" dir="${rtlLocales.test(lang) ? 'rtl' : 'auto'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.6 system-ui,"Noto Sans","Noto Sans Arabic",sans-serif;color:#1d2330;max-width:720px;margin:40px auto;padding:0 20px}img{max-width:100%}pre{background:#f4f5f7;padding:12px;overflow:auto}a{color:#4f46e5}</style>
</head>
<body><article><h1 dir="auto">${escapeHtml(title)}</h1>
${body}
</article></body></html>`;
}
