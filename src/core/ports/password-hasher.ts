/** Hashes and checks agent passwords; implemented with scrypt outside the core. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}
