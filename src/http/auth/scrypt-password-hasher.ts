import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../core/ports/password-hasher.ts';

export interface ScryptPasswordHasherOptions {
  /** CPU/memory cost (a power of two). */
  cost: number;
  blockSize: number;
  parallelization: number;
  keyLength: number;
  saltLength: number;
}

export const defaultScryptPasswordHasherOptions: ScryptPasswordHasherOptions = {
  cost: 16384,
  blockSize: 8,
  parallelization: 1,
  keyLength: 64,
  saltLength: 16,
};

const derive = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

/**
 * Salted scrypt, stored as `scrypt$N$r$p$salt$hash` (hex), so that the parameters can be raised
 * later without invalidating existing hashes.
 */
export class ScryptPasswordHasher implements PasswordHasher {
  private readonly options: ScryptPasswordHasherOptions;
  constructor(options: Partial<ScryptPasswordHasherOptions> = {}) {
    this.options = { ...defaultScryptPasswordHasherOptions, ...options };
  }

  async hash(password: string): Promise<string> {
    const { cost, blockSize, parallelization, keyLength, saltLength } = this.options;
    const salt = randomBytes(saltLength);
    const key = await derive(password, salt, keyLength, this.scryptOptions(cost, blockSize, parallelization));
    return ['scrypt', cost, blockSize, parallelization, salt.toString('hex'), key.toString('hex')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, saltHex, hashHex] = stored.split('$');
    if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
    const cost = Number(n);
    const blockSize = Number(r);
    const parallelization = Number(p);
    if (![cost, blockSize, parallelization].every((v) => Number.isInteger(v) && v > 0)) return false;
    const expected = Buffer.from(hashHex, 'hex');
    if (expected.length === 0) return false;
    try {
      const actual = await derive(
        password,
        Buffer.from(saltHex, 'hex'),
        expected.length,
        this.scryptOptions(cost, blockSize, parallelization),
      );
      return timingSafeEqual(actual, expected);
    } catch {
      return false;
    }
  }

  private scryptOptions(N: number, r: number, p: number): ScryptOptions {
    // Node's default maxmem (32 MiB) is exactly at the limit for N=16384, r=8; leave headroom.
    return { N, r, p, maxmem: 256 * N * r + 16 * 1024 * 1024 };
  }
}
