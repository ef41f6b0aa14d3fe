// An S3-compatible endpoint for the blob store tests: s3rver on 127.0.0.1, objects in a throwaway directory.
//
//   node --openssl-legacy-provider server.mjs [port] [bucket,bucket…] [directory]
//
// s3rver makes its list continuation tokens with DES, which OpenSSL 3 only has in its legacy provider.
//
// Also from the environment: S3_PORT, S3_BUCKETS, S3_DIRECTORY. Port 0 (the default) takes any free port. Without a
// directory a temporary one is made and removed on exit. Credentials are s3rver's: access key and secret "S3RVER".
// Prints exactly one line when ready: "S3 listening on http://127.0.0.1:PORT".
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

try {
  createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
} catch {
  console.error('DES is unavailable, so listings longer than one page would fail: run node with --openssl-legacy-provider.');
  process.exit(1);
}

const [portArg, bucketsArg, directoryArg] = process.argv.slice(2);
const port = Number(portArg ?? process.env.S3_PORT ?? 0);
const buckets = (bucketsArg ?? process.env.S3_BUCKETS ?? 'reelay').split(',').map(b => b.trim()).filter(Boolean);
const ownDirectory = !(directoryArg ?? process.env.S3_DIRECTORY);
const directory = directoryArg ?? process.env.S3_DIRECTORY ?? mkdtempSync(join(tmpdir(), 'reelay-s3-'));
mkdirSync(directory, { recursive: true });

const server = new S3rver({
  address: '127.0.0.1',
  port,
  directory,
  silent: !process.env.S3_VERBOSE, // S3_VERBOSE=1 logs every request (debugging)
  configureBuckets: buckets.map(name => ({ name })),
});

// s3rver removes emptied folders after each delete without a lock, so the parallel deletes of one DeleteObjects
// request race each other (ENOENT, a 500). Deleting one object at a time avoids that.
const deleteObject = server.store.deleteObject.bind(server.store);
let deletes = Promise.resolve();
server.store.deleteObject = (...args) => (deletes = deletes.then(() => deleteObject(...args), () => deleteObject(...args)));

const stop = () => {
  if (ownDirectory) rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test host may die without stopping us: a closed stdin means nobody is left to use this endpoint.
process.stdin.on('end', stop);
process.stdin.resume();

const address = await server.run();
console.log(`S3 listening on http://127.0.0.1:${address.port}`);
