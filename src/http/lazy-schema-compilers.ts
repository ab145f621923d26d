import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

const require = createRequire(import.meta.url);

/**
 * Fastify's own compilers of JSON schemas (Ajv for requests, fast-json-stringify for responses), loaded and
 * run when a route that has such a schema is first called rather than while the server starts.
 *
 * Fastify builds both compilers and compiles every route's schemas before it listens: about a tenth of a
 * start-up's CPU, although most routes take zod schemas (their own compilers, set on the API scope) and the
 * few JSON-schema routes are called seldom. Each route's schema is compiled once, on its first request, and
 * answers as it did: a 400 from Ajv's errors, the same response bodies.
 */
export function lazySchemaCompilers(): CompilersFactory {
  const buildValidator: BuildValidator = (externalSchemas, ajvOptions) => {
    let compiler: ReturnType<BuildValidator> | undefined;
    const compile: ReturnType<BuildValidator> = (route) => {
      compiler ??= (require('@fastify/ajv-compiler') as () => BuildValidator)()(externalSchemas, ajvOptions);
      return compiler(route);
    };
    return (route) => {
      let validate: ReturnType<typeof compile> | undefined;
      const lazy = (data: unknown) => {
        validate ??= compile(route);
        const result = validate(data);
        // Fastify reads a failed Ajv validation's errors from the function.
        (lazy as { errors?: unknown }).errors = (validate as { errors?: unknown }).errors;
        return result;
      };
      return lazy as ReturnType<typeof compile>;
    };
  };
  const buildSerializer: BuildSerializer = (externalSchemas, serializerOptions) => {
    let compiler: ReturnType<BuildSerializer> | undefined;
    const compile: ReturnType<BuildSerializer> = (route) => {
      compiler ??= (require('@fastify/fast-json-stringify-compiler') as () => BuildSerializer)()(
        externalSchemas,
        serializerOptions,
      );
      return compiler(route);
    };
    return (route) => {
      let serialize: ((data: unknown) => string) | undefined;
      return (data: unknown) => {
        serialize ??= compile(route);
        return serialize(data);
      };
    };
  };
  return { buildValidator, buildSerializer };
}
