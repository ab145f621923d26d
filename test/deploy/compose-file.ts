import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** docker-compose.yml read as Compose reads it, for the deployment tests. */
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The values an operator puts into `.env` (deploy/example.env names them). */
export const operatorEnv: Record<string, string> = {
  POSTGRES_PASSWORD: 'pg0secret0here',
  SWITCHBOARD_ADMIN_PASSWORD: 'admin-password-42',
  SWITCHBOARD_PUBLIC_URL: 'https://support.example.com',
  SWITCHBOARD_COOKIE_SECURE: 'true',
  SWITCHBOARD_SITE_ADDRESS: 'support.example.com',
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Service {
  build?: Json;
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: (string | { source?: string; target: string })[];
  healthcheck?: { test: string | string[] };
}
export interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, Json>;
}

/** Compose's variable interpolation: `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`, `$$`. */
export function interpolate(value: Json, env: Record<string, string>): Json {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^}]|\}(?!\}))*?))?\}/g,
      (whole, name: string | undefined, colon: string, kind: string, arg: string) => {
        if (whole === '$$') return '$';
        const set = name !== undefined && env[name] !== undefined && (colon !== ':' || env[name] !== '');
        if (set) return env[name!]!;
        if (kind === '-') return arg;
        if (kind === '?') throw new Error(`required variable ${name} is missing: ${arg}`);
        return '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

/** The file as Compose reads it: YAML with merge keys (`<<: *anchor`), then variables replaced. */
export function loadCompose(env: Record<string, string> = operatorEnv): Compose {
  const raw = parse(read('docker-compose.yml'), { merge: true }) as Json;
  return interpolate(raw, env) as unknown as Compose;
}

export const environmentOf = (service: Service): Record<string, string> => {
  const environment = service.environment ?? {};
  if (Array.isArray(environment))
    return Object.fromEntries(
      environment.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)] as const),
    );
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v === null ? '' : String(v)]));
};
export const dependencies = (service: Service): Record<string, string> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(service.depends_on ?? {}).map(([k, v]) => [k, v.condition]));
/** The Switchboard instances: the services built from this repository. */
export const instancesOf = (compose: Compose) =>
  Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
