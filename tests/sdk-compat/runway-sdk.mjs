#!/usr/bin/env node
// Reelay <-> official Runway Node SDK compatibility probe.
//
// Usage: node runway-sdk.mjs <scenario>
//
// Environment:
//   REELAY_BASE_URL        SDK baseURL, WITHOUT /v1 (the SDK adds /v1/... itself), e.g. http://127.0.0.1:5123
//   REELAY_API_KEY         API key sent as "Authorization: Bearer <key>"
//   REELAY_IMAGE_DATA_URI  data:image/png;base64,... (image-to-video, bad-ratio, delete-running)
//   REELAY_IMAGE_FILE      a local image file (upload-then-create)
//   REELAY_SIMULATE        optional; sent as request header X-Reelay-Simulate on task-creating calls
//
// Output contract: exactly ONE line of JSON on stdout.
//   exit 0 -> the scenario ran; the JSON holds the observed facts (errors raised by the SDK
//             -- APIError subclasses, TaskFailedError, TaskTimedOutError -- are facts too).
//   exit 1 -> something unexpected (bad usage, missing env, non-SDK exception):
//             {"unexpected": "<stack>"}
// The caller (C# tests) does all the judging. SDK log output goes to stderr only.

import crypto from 'node:crypto';
import RunwayML, {
  APIError,
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  RunwayMLError,
  TaskFailedError,
  TaskTimedOutError,
  AbortError,
} from '@runwayml/sdk';

const WAIT_TIMEOUT_MS = 120_000; // waitForTaskOutput({ timeout })
const RUNNING_WAIT_MS = 60_000; // delete-running: max time to observe RUNNING
const RUNNING_POLL_MS = 250;

class UsageError extends Error {}

function env(name, { required = true } = {}) {
  const v = process.env[name];
  if (required && (v === undefined || v === '')) throw new UsageError(`environment variable ${name} is not set`);
  return v;
}

// Everything the SDK might log goes to stderr so stdout stays a single JSON line.
const stderrLogger = {
  error: (...a) => console.error(...a),
  warn: (...a) => console.error(...a),
  info: (...a) => console.error(...a),
  debug: (...a) => console.error(...a),
};

function makeClient({ apiKey = env('REELAY_API_KEY'), maxRetries } = {}) {
  const opts = { apiKey, baseURL: env('REELAY_BASE_URL'), logger: stderrLogger };
  if (maxRetries !== undefined) opts.maxRetries = maxRetries; // undefined -> SDK default (2)
  return new RunwayML(opts);
}

function simulateOptions() {
  const sim = process.env.REELAY_SIMULATE;
  return sim ? { headers: { 'X-Reelay-Simulate': sim } } : undefined;
}

function isSdkError(err) {
  return (
    err instanceof RunwayMLError ||
    err instanceof TaskFailedError ||
    err instanceof TaskTimedOutError ||
    err instanceof AbortError
  );
}

/** Facts about an error thrown by the SDK. */
function errorFacts(err) {
  const facts = {
    errorClass: err?.constructor?.name ?? null,
    status: err?.status ?? null,
    instanceOfBadRequest: err instanceof BadRequestError,
    body: err?.error ?? null,
    message: err?.message ?? String(err),
    instanceOf: {
      APIError: err instanceof APIError,
      APIConnectionError: err instanceof APIConnectionError,
      BadRequestError: err instanceof BadRequestError,
      AuthenticationError: err instanceof AuthenticationError,
      NotFoundError: err instanceof NotFoundError,
      TaskFailedError: err instanceof TaskFailedError,
      TaskTimedOutError: err instanceof TaskTimedOutError,
    },
  };
  if (err instanceof TaskFailedError || err instanceof TaskTimedOutError) facts.taskDetails = err.taskDetails ?? null;
  if (err instanceof APIConnectionError && err.cause) facts.cause = String(err.cause?.cause ?? err.cause);
  return facts;
}

/** Run fn; return {ok:true, value} or the SDK error's facts (non-SDK errors propagate). */
async function attempt(fn) {
  try {
    const value = await fn();
    return { ok: true, value: value === undefined ? null : value };
  } catch (err) {
    if (!isSdkError(err)) throw err;
    return { ok: false, ...errorFacts(err) };
  }
}

/** Retrieve a task and report {status, task} or the error facts. */
async function retrieveFacts(client, id) {
  const r = await attempt(() => client.tasks.retrieve(id));
  if (!r.ok) return r;
  return { ok: true, status: r.value?.status ?? null, task: r.value };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function createAndWait(createFn) {
  try {
    const created = createFn();
    // SDK quirk: waitForTaskOutput() sleeps ~4.5-7.5 s BEFORE awaiting the create request, so a
    // create that fails fast (4xx, connection error) would reject with no handler attached and
    // kill Node (unhandled rejection). Attaching a no-op handler marks it handled; the same
    // error is still re-thrown by waitForTaskOutput() below.
    created.catch(() => {});
    const task = await created.waitForTaskOutput({ timeout: WAIT_TIMEOUT_MS });
    return { id: task.id, status: task.status, output: task.output };
  } catch (err) {
    if (!isSdkError(err)) throw err;
    return errorFacts(err);
  }
}

async function errorScenario(fn) {
  try {
    const value = await fn();
    return { noError: true, value: value === undefined ? null : value };
  } catch (err) {
    if (!isSdkError(err)) throw err;
    return errorFacts(err);
  }
}

const scenarios = {
  // uploads.createEphemeral() with a local file, then image-to-video from the runway:// URI it returns.
  'upload-then-create': async () => {
    const client = makeClient();
    const { createReadStream } = await import('node:fs');
    let uri;
    try {
      ({ uri } = await client.uploads.createEphemeral({ file: createReadStream(env('REELAY_IMAGE_FILE')) }));
    } catch (err) {
      if (!isSdkError(err)) throw err;
      return { uploadError: errorFacts(err) };
    }
    const task = await createAndWait(() =>
      client.imageToVideo.create(
        { model: 'gen4.5', promptImage: uri, promptText: 'from an upload', ratio: '1280:720', duration: 2 },
        simulateOptions(),
      ),
    );
    return { uri, ...task };
  },

  'image-to-video': async () => {
    const client = makeClient();
    const promptImage = env('REELAY_IMAGE_DATA_URI');
    return createAndWait(() =>
      client.imageToVideo.create(
        { model: 'gen4.5', promptImage, promptText: 'a slow pan', ratio: '1280:720', duration: 2 },
        simulateOptions(),
      ),
    );
  },

  'text-to-video': async () => {
    const client = makeClient();
    return createAndWait(() =>
      client.textToVideo.create(
        { model: 'gen4.5', promptText: 'a slow pan', ratio: '1280:720', duration: 2 },
        simulateOptions(),
      ),
    );
  },

  'bad-ratio': async () => {
    const client = makeClient({ maxRetries: 0 });
    const promptImage = env('REELAY_IMAGE_DATA_URI');
    return errorScenario(() =>
      client.imageToVideo.create({
        model: 'gen4.5',
        promptImage,
        promptText: 'a slow pan',
        ratio: '999:1',
        duration: 2,
      }),
    );
  },

  'wrong-key': async () => {
    const client = makeClient({ apiKey: 'key_' + '0'.repeat(128), maxRetries: 0 });
    return errorScenario(() => client.tasks.retrieve(crypto.randomUUID()));
  },

  'not-found': async () => {
    const client = makeClient({ maxRetries: 0 });
    return errorScenario(() => client.tasks.retrieve(crypto.randomUUID()));
  },

  'delete-running': async () => {
    const client = makeClient();
    const promptImage = env('REELAY_IMAGE_DATA_URI');
    const created = await attempt(() =>
      client.imageToVideo.create(
        { model: 'gen4.5', promptImage, promptText: 'a slow pan', ratio: '1280:720', duration: 10 },
        simulateOptions(),
      ),
    );
    if (!created.ok) {
      const { ok, ...facts } = created;
      return { id: null, createError: facts };
    }
    const id = created.value.id;

    // Poll until RUNNING (or a terminal state / error / 60 s), recording every distinct status seen.
    const deadline = Date.now() + RUNNING_WAIT_MS;
    const statusesSeen = [];
    let statusBeforeDelete = null;
    let pollError = null;
    for (;;) {
      const r = await retrieveFacts(client, id);
      if (!r.ok) {
        const { ok, ...facts } = r;
        pollError = facts;
        break;
      }
      statusBeforeDelete = r.status;
      if (statusesSeen.at(-1) !== r.status) statusesSeen.push(r.status);
      if (r.status === 'RUNNING') break;
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status)) break;
      if (Date.now() >= deadline) break;
      await sleep(RUNNING_POLL_MS);
    }

    const step = async () => ({
      delete: await attempt(() => client.tasks.delete(id)),
      retrieve: await retrieveFacts(client, id),
    });
    const afterFirstDelete = await step();
    const afterSecondDelete = await step();
    return {
      id,
      statusBeforeDelete,
      reachedRunning: statusBeforeDelete === 'RUNNING',
      statusesSeen,
      pollError,
      afterFirstDelete,
      afterSecondDelete,
    };
  },
};

async function main() {
  const name = process.argv[2];
  const scenario = Object.hasOwn(scenarios, name ?? "") ? scenarios[name] : undefined;
  if (!scenario) {
    throw new UsageError(
      `unknown scenario ${JSON.stringify(name ?? null)}; expected one of: ${Object.keys(scenarios).join(', ')}`,
    );
  }
  return await scenario();
}

// Write the single JSON line, then exit once it has been flushed.
function finish(obj, code) {
  process.stdout.write(JSON.stringify(obj) + '\n', () => process.exit(code));
}

main().then(
  (result) => finish(result, 0),
  (err) => {
    const unexpected = err instanceof UsageError ? `UsageError: ${err.message}` : String(err?.stack ?? err);
    finish({ unexpected }, 1);
  },
);
