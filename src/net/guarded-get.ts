import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { RestrictedAddressError } from './address-policy.ts';

export interface GuardedGetOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Why an address may not be reached, or null when it may; absent: every address may. */
  restricted?: (address: string) => string | null;
}

export interface GuardedResponse {
  status: number;
  statusText: string;
  header(name: string): string | null;
  /** The body as UTF-8 text, decompressed; more than `maxBytes` is an error. */
  text(maxBytes: number): Promise<string>;
  /** Drops the body unread. */
  discard(): void;
}

/** The body was larger than allowed. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * Resolves like the system does, then refuses the connection when any address of the host is
 * restricted. Checked where the socket connects, so a name that resolved to a public address a moment
 * ago cannot be re-pointed at a private one in between (DNS rebinding).
 */
const guardedLookup = (restricted: (address: string) => string | null) =>
  ((hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const kind = restricted(address);
        if (kind) return callback(new RestrictedAddressError(address, kind, hostname), '', 0);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      return first
        ? callback(null, first.address, first.family)
        : callback(new Error(`no address for ${hostname}`), '', 0);
    });
  }) as unknown as LookupFunction;

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * One GET without following redirects (the caller checks each hop), over node:http(s) so that the
 * address check runs at connect time. IP literals are checked before connecting (no lookup runs).
 */
export function guardedGet(url: URL, options: GuardedGetOptions): Promise<GuardedResponse> {
  const { restricted } = options;
  if (restricted) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const kind = isIP(host) ? restricted(host) : null;
    if (kind) throw new RestrictedAddressError(host, kind, host);
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<GuardedResponse>((resolve, reject) => {
    const request = client.get(
      url,
      {
        headers: { 'accept-encoding': 'gzip, deflate, br', ...options.headers },
        signal: options.signal,
        ...(restricted ? { lookup: guardedLookup(restricted) } : {}),
      },
      (response) => resolve(wrap(response, options.signal)),
    );
    request.on('error', (error) => reject(options.signal.aborted ? options.signal.reason : error));
  });
}

function wrap(response: IncomingMessage, signal: AbortSignal): GuardedResponse {
  return {
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? '',
    header: (name) => {
      const value = response.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    discard: () => response.destroy(),
    async text(maxBytes) {
      const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
      const decoder =
        encoding === 'gzip' || encoding === 'x-gzip'
          ? zlib.createGunzip()
          : encoding === 'deflate'
            ? zlib.createInflate()
            : encoding === 'br'
              ? zlib.createBrotliDecompress()
              : null;
      // `pipeline`, not `pipe`: a connection that breaks mid-body must end the read below with its error.
      const decoded: Readable = decoder ? pipeline(response, decoder, () => {}) : response;
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of decoded) {
          size += (chunk as Buffer).length;
          if (size > maxBytes) throw new BodyTooLargeError(`larger than ${maxBytes} bytes`);
          chunks.push(chunk as Buffer);
        }
      } catch (error) {
        response.destroy();
        throw signal.aborted ? signal.reason : error;
      }
      return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
    },
  };
}
