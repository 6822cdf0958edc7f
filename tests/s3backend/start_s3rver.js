#!/usr/bin/env node
// Starts s3rver (the version package-lock.json pins) on 127.0.0.1 and a free port, with its data
// in DIRECTORY, writes its endpoint ("http://127.0.0.1:PORT") to ENDPOINT_FILE (atomically, once it
// listens) and on stdout, and runs until SIGTERM or SIGINT.
//
//   node --openssl-legacy-provider tests/s3backend/start_s3rver.js DIRECTORY ENDPOINT_FILE
//
// (s3rver encrypts ListObjectsV2 continuation tokens with DES, in OpenSSL 3's legacy provider.)
// Its one account is S3RVER / S3RVER (access key id / secret). s3rver checks that requests are
// SigV4-shaped and that the access key id exists, but not the signature itself.
'use strict';

const fs = require('fs');
const path = require('path');
const S3rver = require('s3rver');

const [directory, endpointFile] = process.argv.slice(2);
if (!directory || !endpointFile) {
  console.error('usage: start_s3rver.js DIRECTORY ENDPOINT_FILE');
  process.exit(2);
}
fs.mkdirSync(directory, { recursive: true });

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: path.resolve(directory),
  silent: true,
});

server.run().then(
  ({ address, port }) => {
    const endpoint = `http://${address}:${port}`;
    fs.writeFileSync(`${endpointFile}.tmp`, `${endpoint}\n`);
    fs.renameSync(`${endpointFile}.tmp`, endpointFile);
    console.log(endpoint);
  },
  error => {
    console.error(`s3rver failed to start: ${error.message}`);
    process.exit(1);
  },
);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
