// Checks of an audio output by its content (conformance.mjs): the codec of the outputFormat asked for, the sample
// rate, the length decoded sample by sample (within 5 % of what was asked), and for speech that it sounds like
// speech: not silent, most of its energy in the voice band, and the loud syllables and quiet gaps of talking
// rather than the steady level of a tone or a noise.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const AUDIO_TOLERANCE = 0.05;
export const DEFAULT_AUDIO_FORMAT = 'mp3';
export const DEFAULT_SAMPLE_RATE = 44100;
const CODECS = { wav: 'pcm_s16le', mp3: 'mp3', ogg_opus: 'opus' };

/** Endpoints whose output is speech (an input voice kept, changed or dubbed counts). */
const SPEECH = new Set(['text_to_speech', 'speech_to_speech', 'voice_dubbing', 'voice_isolation']);

async function ffmpegLines(file, filter, key) {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-af', `${filter},ametadata=print:key=${key}:file=-`, '-f', 'null', '-'],
    { maxBuffer: 64 << 20 });
  return stdout.split('\n').filter((l) => l.startsWith(key + '=')).map((l) => Number(l.slice(key.length + 1)));
}

/** RMS level in dB of the whole file after an optional filter. */
async function rms(file, filter) {
  const values = await ffmpegLines(file, `${filter ? filter + ',' : ''}astats=metadata=1:reset=0`, 'lavfi.astats.Overall.RMS_level');
  return values.at(-1) ?? -Infinity;
}

/** {codec, sampleRate, channels, seconds} with seconds counted from the decoded samples (container padding ignored). */
export async function probeAudio(file) {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', file]);
  const stream = JSON.parse(stdout).streams?.[0];
  if (!stream) return null;
  const samples = (await ffmpegLines(file, 'astats=metadata=1:reset=0', 'lavfi.astats.Overall.Number_of_samples')).at(-1) ?? 0;
  return { codec: stream.codec_name, sampleRate: Number(stream.sample_rate), channels: stream.channels, seconds: samples / Number(stream.sample_rate) };
}

/** {speech, reason}: whether a file sounds like talking (see the header). */
export async function speechFacts(file, sampleRate) {
  const overall = await rms(file);
  const band = await rms(file, 'highpass=f=250,lowpass=f=4000');
  // 50 ms windows: talking swings between syllables and gaps; a tone or a noise bed does not.
  const windows = (await ffmpegLines(file, `asetnsamples=n=${Math.round(sampleRate / 20)}:p=0,astats=metadata=1:reset=1`, 'lavfi.astats.Overall.RMS_level'))
    .map((v) => (Number.isFinite(v) ? v : -120));
  const loud = Math.max(...windows);
  const quiet = windows.filter((v) => v < loud - 20).length / Math.max(1, windows.length);
  const sorted = [...windows].sort((a, b) => a - b);
  const spread = sorted[Math.floor(sorted.length * 0.9)] - sorted[Math.floor(sorted.length * 0.1)];
  const problems = [];
  if (!(overall > -45)) problems.push(`silent (RMS ${overall.toFixed(1)} dB)`);
  if (!(band > overall - 6)) problems.push(`little energy in the voice band (${band.toFixed(1)} dB of ${overall.toFixed(1)} dB)`);
  if (!(spread > 12)) problems.push(`a steady level, not syllables (10–90 % spread ${spread.toFixed(1)} dB)`);
  if (!(quiet > 0.03)) problems.push(`no gaps between words (${(quiet * 100).toFixed(1)} % quiet windows)`);
  return { problems, summary: `speech RMS ${overall.toFixed(1)} dB, voice band ${band.toFixed(1)} dB, spread ${spread.toFixed(1)} dB, ${(quiet * 100).toFixed(0)} % gaps` };
}

/**
 * {problems, summary} of an audio output. `expectSeconds`: the length asked for (a duration, or the input's length
 * for a transform), or undefined when the model decides (speech, a sound effect without duration).
 */
export async function checkAudio(endpoint, body, file, expectSeconds) {
  const facts = await probeAudio(file);
  if (!facts) return { problems: ['no audio stream'], summary: 'no audio' };
  const problems = [];
  const format = body.outputFormat ?? DEFAULT_AUDIO_FORMAT;
  if (facts.codec !== CODECS[format]) problems.push(`outputFormat ${format}: codec ${facts.codec}, expected ${CODECS[format]}`);
  // Opus always decodes at 48 kHz whatever rate it was made from.
  const rate = format === 'ogg_opus' ? 48000 : body.sampleRate ?? DEFAULT_SAMPLE_RATE;
  if (facts.sampleRate !== rate) problems.push(`sample rate ${facts.sampleRate} Hz, expected ${rate} Hz`);
  if (expectSeconds !== undefined && !(Math.abs(facts.seconds - expectSeconds) <= expectSeconds * AUDIO_TOLERANCE))
    problems.push(`duration ${facts.seconds.toFixed(3)} s, expected ${expectSeconds} s ± 5 %`);
  if (!(facts.seconds > 0.2)) problems.push(`only ${facts.seconds.toFixed(3)} s long`);
  let summary = `${facts.codec} ${facts.sampleRate} Hz ${facts.channels} ch ${facts.seconds.toFixed(3)} s`;
  if (SPEECH.has(endpoint)) {
    const speech = await speechFacts(file, facts.sampleRate);
    problems.push(...speech.problems);
    summary += `, ${speech.summary}`;
  } else {
    const level = await rms(file);
    if (!(level > -45)) problems.push(`silent (RMS ${level.toFixed(1)} dB)`);
    summary += `, RMS ${level.toFixed(1)} dB`;
  }
  return { problems, summary };
}

/** The length an audio request asks for: its duration, else the input's length for transforms, else undefined. */
export function askedSeconds(endpoint, body, fixtureSeconds) {
  if (typeof body.duration === 'number') return body.duration;
  if (['speech_to_speech', 'voice_dubbing', 'voice_isolation'].includes(endpoint)) return fixtureSeconds;
  return undefined;
}
