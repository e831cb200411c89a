import type * as Argon2 from 'argon2';

/**
 * Passwords are kept as Argon2id hashes (the `argon2` package: the reference
 * implementation, prebuilt in its npm tarball, hashing on libuv's thread pool
 * so a login does not stall other requests). The parameters are OWASP's
 * minimum for Argon2id: 19 MiB, 2 passes, 1 lane — about 0.1 s here.
 * Loaded on first use: only a registry with accounts needs the native module.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

let argon2: Promise<typeof Argon2> | undefined;
const load = () => (argon2 ??= import('argon2'));

export async function hashPassword(password: string): Promise<string> {
  const { hash, argon2id } = await load();
  return hash(password, { ...OPTIONS, type: argon2id });
}

// A hash of nothing anyone knows: a login for a user without a password (or without an account) costs
// the same time as a wrong password, so the answer's timing does not tell which usernames exist.
let decoy: Promise<string> | undefined;

/** Whether `password` is the one `stored` was made from; without a stored hash, false after the same work. */
export async function checkPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const { verify } = await load();
  if (!stored) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
