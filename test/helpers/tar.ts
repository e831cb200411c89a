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
