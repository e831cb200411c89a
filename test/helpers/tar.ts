import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { Header } from 'tar-stream';

export type RawEntry = Partial<Header> & { name: string; content?: string | Buffer };

/** A gzipped tar with exactly the entries given — including ones no honest packer writes. */
export async function makeTarGz(entries: RawEntry[]): Promise<Buffer> {
  return gzipSync(await makeTar(entries));
}

export async function makeTar(entries: RawEntry[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of tar) chunks.push(chunk as Buffer);
  })();
  for (const { content, ...header } of entries) {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    if (data !== undefined) tar.entry({ type: 'file', mode: 0o644, ...header, size: data.length }, data);
    else tar.entry({ mode: 0o755, ...header });
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const MANIFEST = `name: "@demo/hello"
version: 1.0.0
description: A greeting prompt
artifacts:
  prompts:
    - name: hello
      path: prompts/hello.md
      description: Says hello
`;

/**
 * A GNU long-name entry ('L'), which tar-stream does not write: its data is
 * the name of the entry that follows, exactly the bytes given.
 */
export function gnuLongName(name: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write('././@LongLink', 0, 'latin1');
  header.write('0000644\0', 100, 'latin1');
  header.write(`${name.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write('00000000000\0', 136, 'latin1');
  header.write('L', 156, 'latin1');
  header.write('ustar  \0', 257, 'latin1');
  let sum = 8 * 0x20;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += header[i]!;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const data = Buffer.alloc(Math.ceil(name.length / 512) * 512);
  name.copy(data);
  return Buffer.concat([header, data]);
}
