// Output checks of the image and transform endpoints (text_to_image, image_upscale, video_upscale,
// video_to_hdr, character_performance), judged by content against the request that made them:
// images decoded (codec per outputFormat, pixel size, alpha where asked, count, all distinct),
// videos probed (size against the source or the ratio, length, frame rate, HDR codec and transfer).
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { pixelRatio } from './conformance-requests.mjs';

const run = promisify(execFile);
export const MEDIA_ENDPOINTS = new Set(['text_to_image', 'image_upscale', 'video_upscale', 'video_to_hdr', 'character_performance']);
const DURATION_TOLERANCE = 0.15;
// The planner caps a generated image's longer side at 3840 px (the preview's bound), keeping the aspect.
const MAX_SIDE = 3840;

export async function probe(file) {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries',
    'stream=codec_type,codec_name,width,height,pix_fmt,r_frame_rate,color_transfer,duration:format=duration', '-of', 'json', file]);
  return JSON.parse(stdout);
}

/** The width, height and seconds of a fixture, for outputs sized or timed by their source. */
export async function fixtureFacts(file) {
  const facts = await probe(file);
  const video = facts.streams.find((s) => s.codec_type === 'video');
  return { w: video.width, h: video.height, seconds: Number(video.duration ?? facts.format?.duration ?? 0) };
}

const even = (v) => Math.max(16, Math.round(v / 2) * 2);
const fraction = (r) => { const [a, b] = String(r).split('/').map(Number); return b ? a / b : a; };

/** The size the server plans for a pixel ratio: as given, or scaled down to the longer-side cap. */
function plannedSize(ratio) {
  const p = pixelRatio(ratio);
  if (!p) return null;
  const scale = Math.min(1, MAX_SIDE / Math.max(p.w, p.h));
  return { w: even(p.w * scale), h: even(p.h * scale) };
}

/** Alpha (0–255) of one pixel, decoded by ffmpeg. */
async function alphaAt(file, x, y) {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-vf', `crop=1:1:${x}:${y},format=rgba`, '-frames:v', '1', '-f', 'rawvideo', '-'],
    { encoding: 'buffer' });
  return stdout[3];
}

const IMAGE_CODECS = { png: 'png', jpeg: 'mjpeg', webp: 'webp' };
const CONTENT_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** {problems, summary} for the stills of a text_to_image or image_upscale task. */
async function checkImages(endpoint, body, outputs, fixtures) {
  const problems = [];
  const format = body.background === 'transparent' ? 'png' : body.outputFormat ?? 'png';
  const count = endpoint === 'text_to_image' ? body.outputCount ?? 1 : 1;
  if (outputs.length !== count) problems.push(`${outputs.length} output URL(s), expected ${count} (outputCount)`);
  const expected = endpoint === 'image_upscale'
    ? { w: fixtures.image.w * (body.scaleFactor ?? 2), h: fixtures.image.h * (body.scaleFactor ?? 2) }
    : plannedSize(body.ratio);
  const hashes = new Set();
  let summary = '';
  for (const [i, o] of outputs.entries()) {
    const facts = await probe(o.file);
    const image = facts.streams.find((s) => s.codec_type === 'video');
    if (!image) { problems.push(`output ${i + 1}: not an image`); continue; }
    summary = `${outputs.length} × ${image.codec_name} ${image.pix_fmt} ${image.width}x${image.height}`;
    if (image.codec_name !== IMAGE_CODECS[format]) problems.push(`output ${i + 1}: codec ${image.codec_name}, expected ${IMAGE_CODECS[format]} (${format})`);
    if (!String(o.contentType).startsWith(CONTENT_TYPES[format])) problems.push(`output ${i + 1}: Content-Type ${o.contentType}, expected ${CONTENT_TYPES[format]}`);
    if (expected && (image.width !== expected.w || image.height !== expected.h)) problems.push(`output ${i + 1}: ${image.width}x${image.height}, expected ${expected.w}x${expected.h}`);
    await run('ffmpeg', ['-v', 'error', '-xerror', '-i', o.file, '-f', 'null', '-']).catch((e) => problems.push(`output ${i + 1} does not decode: ${e.message}`));
    if (body.background === 'transparent') {
      const corner = await alphaAt(o.file, 0, 0);
      const centre = await alphaAt(o.file, Math.floor(image.width / 2), Math.floor(image.height / 2));
      if (!/a/.test(image.pix_fmt) || corner !== 0 || centre !== 255) problems.push(`output ${i + 1}: background transparent but ${image.pix_fmt}, corner alpha ${corner}, centre alpha ${centre}`);
      else summary += ' alpha';
    }
    hashes.add(crypto.createHash('sha256').update(o.bytes).digest('hex'));
  }
  if (hashes.size !== outputs.length) problems.push(`only ${hashes.size} distinct image(s) among ${outputs.length}`);
  return { problems, summary };
}

const HDR = { hdr10: ['hevc', 10, 'smpte2084'], hlg: ['hevc', 10, 'arib-std-b67'], hdr_prores: ['prores', 10, 'smpte2084'] };
const RESOLUTION_LINES = { '720p': 720, '1k': 1024, '2k': 1440, '4k': 2160 };
const FRAME_RATES = { '23_98': 24000 / 1001, '29_97': 30000 / 1001, '59_94': 60000 / 1001 };

/** {problems, summary} for the video of a video_upscale, video_to_hdr or character_performance task. */
async function checkVideo(endpoint, body, output, fixtures) {
  const problems = [];
  const source = fixtures.video;
  const format = endpoint === 'video_to_hdr' ? body.outputFormat ?? 'hdr10' : 'mp4';
  if (/sequence/.test(format)) {
    const zip = output.bytes.length > 4 && output.bytes.readUInt32LE(0) === 0x04034b50;
    return { problems: zip ? [] : [`${format}: not a zip archive`], summary: `${output.bytes.length} bytes zip` };
  }
  const facts = await probe(output.file);
  const video = facts.streams.find((s) => s.codec_type === 'video');
  if (!video) return { problems: ['no video stream'], summary: `${output.bytes.length} bytes` };
  const seconds = Number(video.duration ?? facts.format?.duration);
  const fps = fraction(video.r_frame_rate);
  // Sized by the source (upscale: its aspect at the resolution's short side), or by the ratio (character performance).
  let expected = { w: source.w, h: source.h };
  if (endpoint === 'character_performance') expected = pixelRatio(body.ratio ?? '1280:720');
  if (body.model === 'magnific_video_upscaler_creative') {
    const lines = RESOLUTION_LINES[body.resolution ?? '2k'];
    expected = source.w >= source.h ? { w: even(lines * source.w / source.h), h: lines } : { w: lines, h: even(lines * source.h / source.w) };
  }
  if (video.width !== expected.w || video.height !== expected.h) problems.push(`size ${video.width}x${video.height}, expected ${expected.w}x${expected.h}`);
  if (!(Math.abs(seconds - source.seconds) <= DURATION_TOLERANCE)) problems.push(`duration ${seconds} s, expected the source's ${source.seconds} s`);
  const wantFps = body.targetFramerate ? FRAME_RATES[body.targetFramerate] ?? Number(body.targetFramerate) : body.fpsBoost ? 60 : null;
  if (wantFps && Math.abs(fps - wantFps) > 0.01) problems.push(`frame rate ${video.r_frame_rate}, expected ${wantFps.toFixed(3)}`);
  const [codec, bits, transfer] = HDR[format] ?? ['h264', 8, null];
  if (video.codec_name !== codec) problems.push(`codec ${video.codec_name}, expected ${codec}`);
  if (bits === 10 && !/10/.test(video.pix_fmt)) problems.push(`pix_fmt ${video.pix_fmt}, expected 10-bit`);
  if (transfer && video.color_transfer !== transfer) problems.push(`transfer ${video.color_transfer}, expected ${transfer}`);
  if (!String(output.contentType).startsWith(format === 'hdr_prores' ? 'video/quicktime' : 'video/mp4')) problems.push(`Content-Type ${output.contentType}`);
  const summary = `${video.codec_name} ${video.pix_fmt}${video.color_transfer ? ' ' + video.color_transfer : ''} ${video.width}x${video.height} ${video.r_frame_rate} fps ${seconds.toFixed(2)} s`;
  return { problems, summary };
}

/** outputs: [{file, bytes, contentType}] in the order of the task's `output`. */
export async function checkMediaOutputs(endpoint, body, outputs, fixtures) {
  if (endpoint === 'text_to_image' || endpoint === 'image_upscale') return checkImages(endpoint, body, outputs, fixtures);
  if (outputs.length !== 1) return { problems: [`${outputs.length} outputs, expected 1`], summary: '' };
  return checkVideo(endpoint, body, outputs[0], fixtures);
}
