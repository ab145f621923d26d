import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadCompose } from './compose-file.ts';

/**
 * The Compose Specification's JSON schema, as the dclint package ships it (it cannot be downloaded at test
 * time). The path is read from the package's folder: the package does not export the file.
 */
function composeSchema(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve('dclint/package.json'));
  } catch {
    throw new Error(
      'the Compose Specification schema comes from the dclint dev dependency: npm install --save-dev dclint',
    );
  }
  return JSON.parse(readFileSync(path.join(packageDir, 'schemas', 'compose.schema.json'), 'utf8'));
}

function validator() {
  // As `docker compose` reads the schema: unknown keywords (`deprecated`) and union types allowed.
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  // Draft 7, Ajv's default; its `$schema` spells the meta-schema's address in a way Ajv does not know.
  const { $schema: _, ...schema } = composeSchema();
  return ajv.compile(schema);
}

describe('docker-compose.yml against the Compose Specification', () => {
  it('is valid against the Compose Specification schema', () => {
    const validate = validator();
    const valid = validate(loadCompose());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('would be refused by the schema if it were wrong (the check is not vacuous)', () => {
    const validate = validator();
    const compose = loadCompose() as unknown as { services: Record<string, Record<string, unknown>> };
    const broken = structuredClone(compose);
    broken.services['switchboard-1']!.healtcheck = { test: ['CMD', 'true'] };
    expect(validate(broken)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('healtcheck');
  });
});
