# syntax=docker/dockerfile:1
# Switchboard: one image for every instance. Build: `docker build -t switchboard .`
# Run several behind a load balancer with DATABASE_URL=postgres://… and REDIS_URL=redis://… (see docker-compose.yml).

ARG NODE_VERSION=20

# --- build: all dependencies, the desktop and web-chat bundle, the server compiled to JavaScript, then only
# production dependencies kept ---
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off here: the package's own `prepare` (the web build) needs the sources, copied below.
# Then the two dependencies with install scripts: better-sqlite3's native module and esbuild's binary check.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY kb ./kb
COPY web ./web
# `npm run build:server`: tsc checks and emits src/ to dist/ (the same folder depth, so kb/ and web/dist resolve as
# from src/). The prune then drops the development dependencies, the compilers among them (TypeScript, tsx, esbuild):
# the compiled server needs none of them.
RUN npm run build \
  && npm run build:server \
  && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies, the compiled server, the built web app; no sources, no compilers, not root ---
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=3000 \
  SWITCHBOARD_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/kb ./kb
COPY --from=build --chown=root:root /app/web/dist ./web/dist
# The application files stay owned by root and read-only to the process; only /data is writable.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# No curl in slim images: Node's own fetch. Exit 1 (unhealthy) on a non-2xx answer or no answer.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Other commands the same way: `docker compose exec switchboard-1 node dist/cli/switchboard.js migrate`.
CMD ["node", "--enable-source-maps", "dist/cli/switchboard.js", "start"]
