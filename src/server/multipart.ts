import type { IncomingMessage } from 'node:http';

/** A parsed multipart/form-data upload: its files' bytes and its text fields. */
export interface Upload {
  files: Record<string, Buffer | undefined>;
  fields: Record<string, string | undefined>;
}

/**
 * Reads a multipart/form-data body with a limit for every part it accepts:
 * an unknown part, a part twice, or a part over its limit ends the request
 * with an error instead of growing in memory.
 */
export async function readMultipart(
  req: IncomingMessage,
  limits: { files: Record<string, number>; fields: Record<string, number> },
): Promise<Upload> {
  const busboy = (await import('busboy')).default;
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) throw new Error('The body must be multipart/form-data.');
  const largest = Math.max(...Object.values(limits.files), 1);
  const largestField = Math.max(...Object.values(limits.fields), 1);
  return new Promise<Upload>((resolve, reject) => {
    const upload: Upload = { files: {}, fields: {} };
    let failed = false;
    const fail = (message: string, tooLarge = false) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      reject(Object.assign(new Error(message), { tooLarge }));
    };
    const parser = busboy({
      headers: req.headers,
      // busboy reports reaching a count limit, not passing it: one more than allowed, and our own checks decide.
      limits: {
        files: Object.keys(limits.files).length + 1,
        fields: Object.keys(limits.fields).length + 1,
        parts: Object.keys(limits.files).length + Object.keys(limits.fields).length + 1,
        fileSize: largest,
        fieldSize: largestField,
      },
    });
    parser.on('file', (name, stream) => {
      const limit = limits.files[name];
      if (limit === undefined || upload.files[name] !== undefined) {
        stream.resume();
        return fail(limit === undefined ? `Unexpected file "${name}".` : `"${name}" was sent twice.`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          stream.resume();
          return fail(`"${name}" is larger than ${limit} bytes.`, true);
        }
        chunks.push(chunk);
      });
      stream.on('limit', () => fail(`"${name}" is larger than ${limit} bytes.`, true));
      stream.on('end', () => {
        if (!failed) upload.files[name] = Buffer.concat(chunks);
      });
    });
    parser.on('field', (name, value, info) => {
      const limit = limits.fields[name];
      if (limit === undefined) return fail(`Unexpected field "${name}".`);
      if (info.valueTruncated || value.length > limit)
        return fail(`The field "${name}" is longer than ${limit} characters.`, true);
      if (upload.fields[name] !== undefined) return fail(`The field "${name}" was sent twice.`);
      upload.fields[name] = value;
    });
    parser.on('filesLimit', () => fail('Too many files in the upload.'));
    parser.on('fieldsLimit', () => fail('Too many fields in the upload.'));
    parser.on('partsLimit', () => fail('Too many parts in the upload.'));
    parser.on('error', (error: Error) => fail(`The upload is not valid multipart/form-data: ${error.message}`));
    parser.on('close', () => {
      if (!failed) resolve(upload);
    });
    req.on('aborted', () => fail('The upload was aborted.'));
    req.pipe(parser);
  });
}
