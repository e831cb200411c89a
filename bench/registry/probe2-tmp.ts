import { startPostgres } from '../../test/helpers/postgres.ts';
import { startTestRegistry } from '../../test/helpers/registry.ts';
import { multipart, signedUploads } from './publish.ts';
const N = Number(process.env.N ?? 400), C = Number(process.env.C ?? 16);
const pg = await startPostgres();
const reg = await startTestRegistry({ postgres: pg, checkResponses: false } as any);
const token = await reg.token('seed', ['publish']);
const bodies = (await signedUploads(reg.root, 'pp', N)).map(multipart);
// first version of each package first
for (let i = 0; i < 50; i++) { const r = await fetch(`${reg.url}/api/v1/packages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': bodies[i]!.contentType }, body: bodies[i]!.body }); if (r.status !== 201) console.log(r.status, await r.text()); }
let next = 50; const t0 = performance.now(); let fails = 0;
await Promise.all(Array.from({ length: C }, async () => { while (next < N) { const b = bodies[next++]!; const r = await fetch(`${reg.url}/api/v1/packages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': b.contentType }, body: b.body }); if (r.status !== 201) { fails++; console.log(r.status, await r.text()); } else await r.arrayBuffer(); } }));
console.log(`HTTP in-process: ${((N - 50) / (performance.now() - t0) * 1000).toFixed(1)}/s fails ${fails}`);
await reg.server.close?.(); await pg.stop(); process.exit(0);
