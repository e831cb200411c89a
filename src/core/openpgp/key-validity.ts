import type { Key } from 'openpgp';

/**
 * openpgp.js's answers about a key's validity, made independent of the order they are asked in.
 *
 * openpgp.js marks a self-certification or subkey binding revoked (`signature.revoked`) the first
 * time it checks a date at which a soft revocation (key retired or superseded, user ID no longer
 * valid) is in effect, and then reads the mark at every later check, whatever the date. A keyring
 * keeps its keys for a whole run, so once a package signed after a subkey's retirement had been
 * verified, one signed before it would fail too — and a package's verdict would depend on which
 * others were verified before it. Each check here starts without marks (openpgp.js works them
 * out again for its date), and checks run one at a time, so that none sees another's marks.
 */
let queue: Promise<unknown> = Promise.resolve();

export function checkedAfresh<T>(keys: readonly Key[], check: () => Promise<T>): Promise<T> {
  const run = queue.then(() => {
    for (const key of keys) forgetRevocationMarks(key);
    return check();
  });
  queue = run.catch(() => undefined);
  return run;
}

interface Marked {
  revoked: boolean | null;
}

function forgetRevocationMarks(key: Key): void {
  const unmark = (signatures: readonly unknown[]) => {
    for (const signature of signatures) (signature as Marked).revoked = null;
  };
  unmark((key as unknown as { directSignatures?: readonly unknown[] }).directSignatures ?? []);
  for (const user of key.users) {
    unmark(user.selfCertifications);
    unmark(user.otherCertifications);
  }
  for (const subkey of key.subkeys) unmark(subkey.bindingSignatures);
}
