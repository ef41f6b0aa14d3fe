#!/usr/bin/env node
// Conformance of Reelay to the official @runwayml/sdk: every model of every video and audio endpoint
// that the installed SDK's types declare (sdk-types.mjs), once with the required fields only and once
// with every field, each rendered through the unmodified SDK and the output checked with ffprobe
// (audio: codec, sample rate, decoded length, and speech by its content — conformance-audio.mjs);
// then one invalid value per field class, whose 400 `issues` must name the field.
//
// Environment:
//   REELAY_BASE_URL, REELAY_API_KEY          the server (without /v1) and an organization's key
//   REELAY_IMAGE_FILE, REELAY_VIDEO_FILE, REELAY_AUDIO_FILE   fixtures, sent as data URIs (the audio: speech
//                                            longer than voice_isolation's 4.6 s minimum)
//   REELAY_CATALOG        optional; default src/Reelay.Server/Features/Catalog/default-catalog.json
//   REELAY_CONCURRENCY    optional; requests in flight (default 6)
//   REELAY_ONLY           optional; e.g. "gen4.5" or "text_to_video:veo3.1,wan3" to run a few
//   REELAY_ENDPOINTS      optional; the endpoints to run, e.g. "text_to_image,video_to_hdr" (default: all the SDK declares)
// Output: one line per endpoint/model/variant (PASS, FAIL or SKIP with the reason), then per endpoint
// "<endpoint>: N of M models render" and "<endpoint>: N of M models report invalid values".
// Exit 0 only when nothing failed.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import RunwayML, { BadRequestError, APIError, TaskFailedError, TaskTimedOutError } from '@runwayml/sdk';
import { sdkEndpoints } from './sdk-types.mjs';
import { BuildError, RequestBuilder, endpointSchema, loadCatalog, pixelRatio } from './conformance-requests.mjs';
import { invalidCases } from './conformance-invalid.mjs';
import { MEDIA_ENDPOINTS, checkMediaOutputs, fixtureFacts } from './conformance-outputs.mjs';
import { askedSeconds, checkAudio, probeAudio } from './conformance-audio.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name, fallback) => {
  const v = process.env[name] || fallback;
  if (v === undefined) throw new Error(`environment variable ${name} is not set`);
  return v;
};
const WAIT_TIMEOUT_MS = 5 * 60_000; // per task; a render of a few seconds takes far less
const DURATION_TOLERANCE = 0.15;
const run = promisify(execFile);

function dataUri(file) {
  const types = { '.png': 'image/png', '.jpg': 'image/jpeg', '.mp4': 'video/mp4', '.mp3': 'audio/mpeg', '.wav': 'audio/wav' };
  const type = types[path.extname(file).toLowerCase()];
  if (!type) throw new Error(`no content type known for ${file}`);
  return `data:${type};base64,${fs.readFileSync(file).toString('base64')}`;
}

/** A request body for printing: data URIs shortened to their type. */
const shown = (body) => JSON.stringify(body, (k, v) => (typeof v === 'string' && v.startsWith('data:') ? `<${v.slice(5, v.indexOf(';'))}>` : v));

/** What a 400 said, one issue per clause. */
function issuesText(err) {
  const issues = err?.error?.issues;
  if (!Array.isArray(issues)) return `${err.status} ${err.message}`;
  return `${err.status} ` + issues.map((i) => `${i.code} at [${(i.path ?? []).join(',')}]: ${i.message}`).join('; ');
}

function errorText(err) {
  if (err instanceof BuildError) return `could not build the request: ${err.message}`;
  if (err instanceof BadRequestError) return issuesText(err);
  if (err instanceof TaskFailedError) return `task ${err.taskDetails?.status}: ${err.taskDetails?.failure ?? ''} ${err.taskDetails?.failureCode ?? ''}`.trim();
  if (err instanceof TaskTimedOutError) return `task still ${err.taskDetails?.status} after ${WAIT_TIMEOUT_MS / 1000} s`;
  if (err instanceof APIError) return err.status ? `${err.status} ${err.message}` : `${err.message} ${err.cause?.cause?.message ?? err.cause?.message ?? ''}`.trim();
  return String(err?.stack ?? err);
}

async function probe(file) {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries',
    'stream=codec_type,codec_name,width,height,pix_fmt,duration:format=duration', '-of', 'json', file]);
  return JSON.parse(stdout);
}

// The codec each outputFormat must produce (docs: mp4 is H.264, the 10-bit formats HEVC).
const CODECS = { mp4: ['h264'], prores: ['prores'], hdr_prores: ['prores'], hdr10: ['hevc', 10], hlg: ['hevc', 10], sdr_rec709_10bit: ['hevc', 10], hdr_pq_12bit_master: ['hevc', 12] };

/** {problems, summary}: what is wrong with a downloaded output, judged against the request that made it. */
export async function checkOutput(body, bytes, file, formatDefault) {
  const format = body.outputFormat ?? formatDefault ?? 'mp4';
  if (/sequence/.test(format)) {
    const zip = bytes.length > 4 && bytes.readUInt32LE(0) === 0x04034b50; // "PK\x03\x04"
    const problems = zip ? [] : [`outputFormat ${format}: expected a zip archive, got ${bytes.length} bytes starting ${bytes.subarray(0, 4).toString('hex')}`];
    return { problems, summary: `${bytes.length} bytes` };
  }
  const facts = await probe(file);
  const video = facts.streams.find((s) => s.codec_type === 'video');
  if (!video) return { problems: ['no video stream'], summary: `${bytes.length} bytes` };
  const problems = [];
  const [codec, bits] = CODECS[format] ?? [];
  if (codec && video.codec_name !== codec) problems.push(`outputFormat ${format}: codec ${video.codec_name}, expected ${codec}`);
  if (bits && !String(video.pix_fmt).includes(String(bits))) problems.push(`outputFormat ${format}: pix_fmt ${video.pix_fmt}, expected ${bits}-bit`);
  const pixels = pixelRatio(body.ratio);
  const aspect = /^(\d+):(\d+)$/.exec(body.ratio ?? '');
  if (pixels && (video.width !== pixels.w || video.height !== pixels.h)) problems.push(`size ${video.width}x${video.height}, expected ${pixels.w}x${pixels.h}`);
  else if (!pixels && aspect && Math.abs(video.width / video.height / (aspect[1] / aspect[2]) - 1) > 0.02)
    problems.push(`size ${video.width}x${video.height} is not ${body.ratio}`);
  const lines = /^(\d+)p$/i.exec(body.resolution ?? '');
  if (lines && Math.min(video.width, video.height) !== +lines[1]) problems.push(`size ${video.width}x${video.height}, expected ${body.resolution}`);
  const seconds = Number(video.duration ?? facts.format?.duration);
  if (typeof body.duration === 'number' && !(Math.abs(seconds - body.duration) <= DURATION_TOLERANCE))
    problems.push(`duration ${seconds} s, expected ${body.duration} s`);
  if (body.audio === true && !facts.streams.some((s) => s.codec_type === 'audio')) problems.push('audio: true but no audio stream');
  const summary = `${video.codec_name} ${video.pix_fmt} ${video.width}x${video.height} ${seconds.toFixed(2)} s${facts.streams.some((s) => s.codec_type === 'audio') ? ' +audio' : ''}`;
  return { problems, summary };
}

async function renderCheck(ctx, job) {
  const client = new RunwayML({ apiKey: ctx.key, baseURL: ctx.baseURL });
  const created = client[ctx.sdk[job.endpoint].resource].create(job.body);
  // The SDK waits ~6 s before awaiting the create; without a handler a fast 400 would be an unhandled rejection.
  created.catch(() => {});
  const task = await created.waitForTaskOutput({ timeout: WAIT_TIMEOUT_MS });
  if (MEDIA_ENDPOINTS.has(job.endpoint)) return mediaCheck(ctx, job, task);
  const url = task.output?.[0];
  if (!url) return { ok: false, reason: `SUCCEEDED without an output: ${JSON.stringify(task)}` };
  const response = await fetch(url);
  if (!response.ok) return { ok: false, reason: `GET output → ${response.status}` };
  const bytes = Buffer.from(await response.arrayBuffer());
  const file = path.join(ctx.tmp, `${job.endpoint}-${job.model}-${job.variant}`);
  fs.writeFileSync(file, bytes);
  const { problems, summary } = ctx.sdk[job.endpoint].output === 'audio'
    ? await checkAudio(job.endpoint, job.body, file, askedSeconds(job.endpoint, job.body, ctx.audioSeconds))
    : await checkOutput(job.body, bytes, file, job.formatDefault);
  fs.rmSync(file, { force: true }); // ProRes outputs are large; keep the temp folder small
  return { ok: problems.length === 0, reason: [...problems, `got ${summary}`].join('; ') };
}

/** Images and transforms: every output URL downloaded and judged by its content (conformance-outputs.mjs). */
async function mediaCheck(ctx, job, task) {
  if (!task.output?.length) return { ok: false, reason: `SUCCEEDED without an output: ${JSON.stringify(task)}` };
  const outputs = [];
  try {
    for (const [i, url] of task.output.entries()) {
      const response = await fetch(url);
      if (!response.ok) return { ok: false, reason: `GET output ${i + 1} → ${response.status}` };
      const bytes = Buffer.from(await response.arrayBuffer());
      const file = path.join(ctx.tmp, `${job.endpoint}-${job.model}-${job.variant}-${i}`);
      fs.writeFileSync(file, bytes);
      outputs.push({ file, bytes, contentType: response.headers.get('content-type') });
    }
    const { problems, summary } = await checkMediaOutputs(job.endpoint, job.body, outputs, ctx.fixtures);
    return { ok: problems.length === 0, reason: [...problems, `got ${summary}`].join('; ') };
  } finally {
    for (const o of outputs) fs.rmSync(o.file, { force: true });
  }
}

async function invalidCheck(ctx, job) {
  const client = new RunwayML({ apiKey: ctx.key, baseURL: ctx.baseURL, maxRetries: 0 });
  try {
    const created = await client[ctx.sdk[job.endpoint].resource].create(job.body);
    await client.tasks.delete(created.id).catch(() => {}); // do not spend a render on it
    return { ok: false, reason: `accepted (task ${created.id}); expected 400 ${job.expect.code} at [${job.expect.path}]` };
  } catch (err) {
    if (!(err instanceof BadRequestError)) return { ok: false, reason: errorText(err) };
    const issues = err.error?.issues ?? [];
    const match = issues.find((i) => i.code === job.expect.code && JSON.stringify(i.path) === JSON.stringify(job.expect.path));
    if (!match) return { ok: false, reason: `expected ${job.expect.code} at [${job.expect.path}], got ${issuesText(err)}` };
    const others = issues.length - 1;
    return { ok: true, reason: `${match.code} at [${match.path}]${others ? ` (+${others} other issue(s))` : ''}` };
  }
}

/** Runs fn over items with at most `limit` in flight. */
async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

function selected(only, endpoint, model) {
  if (!only) return true;
  return only.split(',').some((f) => {
    const [e, m] = f.includes(':') ? f.split(':') : [null, f];
    return (!e || e === endpoint) && (!m || m === model);
  });
}

async function main() {
  const ctx = { baseURL: env('REELAY_BASE_URL'), key: env('REELAY_API_KEY'), sdk: sdkEndpoints() };
  if (process.env.REELAY_ENDPOINTS) {
    const wanted = process.env.REELAY_ENDPOINTS.split(',').map((e) => e.trim());
    for (const e of wanted) if (!ctx.sdk[e]) throw new Error(`REELAY_ENDPOINTS names ${e}, which the SDK does not declare`);
    ctx.sdk = Object.fromEntries(Object.entries(ctx.sdk).filter(([e]) => wanted.includes(e)));
  }
  ctx.fixtures = { image: await fixtureFacts(env('REELAY_IMAGE_FILE')), video: await fixtureFacts(env('REELAY_VIDEO_FILE')) };
  const media = { image: dataUri(env('REELAY_IMAGE_FILE')), video: dataUri(env('REELAY_VIDEO_FILE')), audio: dataUri(env('REELAY_AUDIO_FILE')) };
  const catalogFile = env('REELAY_CATALOG', path.join(here, '..', '..', 'src', 'Reelay.Server', 'Features', 'Catalog', 'default-catalog.json'));
  const catalog = loadCatalog(catalogFile);
  console.log(`catalog ${catalogFile}: ${catalog.format} format${catalog.format === 'fields' ? '' : ' (no field schemas: values come from the SDK types and fallbacks)'}`);
  ctx.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reelay-conformance-'));
  ctx.audioSeconds = (await probeAudio(env('REELAY_AUDIO_FILE'))).seconds;

  const jobs = [];
  for (const [endpoint, { models }] of Object.entries(ctx.sdk)) {
    for (const sdkModel of models) {
      if (!selected(process.env.REELAY_ONLY, endpoint, sdkModel.model)) continue;
      const schema = endpointSchema(catalog, sdkModel.model, endpoint);
      const formatDefault = new RequestBuilder(catalog, media, 'minimal').resolve(schema?.properties?.outputFormat)?.default;
      const base = { endpoint, model: sdkModel.model, formatDefault };
      for (const variant of ['minimal', 'maximal']) {
        const builder = new RequestBuilder(catalog, media, variant);
        try {
          jobs.push({ ...base, variant, kind: 'render', body: builder.body(sdkModel, schema), notes: builder.notes });
        } catch (err) {
          jobs.push({ ...base, variant, kind: 'render', error: err, notes: builder.notes });
        }
        // The invalid requests break one field of the minimal one; without it they fail too, not pass by absence.
        const minimal = jobs.at(-1);
        if (variant === 'minimal' && minimal.body)
          for (const c of invalidCases(sdkModel, minimal.body, schema, (x) => builder.resolve(x))) jobs.push({ ...base, kind: 'invalid', ...c });
        else if (variant === 'minimal') jobs.push({ ...base, kind: 'invalid', variant: 'invalid values', error: minimal.error });
      }
    }
  }

  // The quick 400 checks first, so their lines arrive while the renders run.
  jobs.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'invalid' ? -1 : 1));
  await pool(jobs, Number(process.env.REELAY_CONCURRENCY || 6), async (job) => {
    let result;
    if (job.expect === null) result = { ok: true, skip: true, reason: job.reason };
    else if (job.error) result = { ok: false, reason: errorText(job.error) };
    else {
      try {
        result = await (job.kind === 'render' ? renderCheck(ctx, job) : invalidCheck(ctx, job));
      } catch (err) {
        result = { ok: false, reason: errorText(err) };
      }
    }
    job.result = result;
    const verdict = result.skip ? 'SKIP' : result.ok ? 'PASS' : 'FAIL';
    console.log(`${verdict} ${job.endpoint} ${job.model} ${job.variant}: ${result.reason}`);
    if (job.notes?.length) console.log(`     notes: ${job.notes.join('; ')}`);
    if (!result.ok && job.body) console.log(`     request: ${shown(job.body)}`);
  });
  fs.rmSync(ctx.tmp, { recursive: true, force: true });

  let failed = jobs.some((j) => !j.result.ok);
  for (const [endpoint, { models }] of Object.entries(ctx.sdk)) {
    const names = models.map((m) => m.model).filter((m) => selected(process.env.REELAY_ONLY, endpoint, m));
    for (const [kind, label] of [['render', 'render (minimal and maximal)'], ['invalid', 'report invalid values']]) {
      const missing = names.filter((m) => jobs.some((j) => j.endpoint === endpoint && j.model === m && j.kind === kind && !j.result.ok));
      console.log(`${endpoint}: ${names.length - missing.length} of ${names.length} models ${label}${missing.length ? ` — missing: ${missing.join(', ')}` : ''}`);
    }
  }
  if (jobs.length === 0) { console.log('no model selected'); failed = true; }
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (err) => { console.error(String(err?.stack ?? err)); process.exit(2); },
  );
}
