#!/usr/bin/env node
// What the installed @runwayml/sdk says each generation endpoint (video, audio) accepts, read from its type
// declarations with the TypeScript compiler API. The conformance suite takes its list of models
// and fields from here, never from a hand-written list, so a new SDK release that adds a model or
// a field shows up as a failing check instead of going unnoticed.
//
// Usage: node sdk-types.mjs            prints { endpoint: { params, models: [...] } } as JSON
//        import { sdkEndpoints } from './sdk-types.mjs'
//
// A type is described structurally:
//   {kind:'string'} {kind:'number'} {kind:'boolean'} {kind:'unknown'}
//   {kind:'enum', values:['a','b']}          string literals (one literal is an enum of one)
//   {kind:'numEnum', values:[4,6,8]}         number literals
//   {kind:'array', items:<type>}
//   {kind:'object', name, properties:{p:{required, type, description}}}
//   {kind:'union', types:[<type>, ...]}      e.g. string | Array<...>, number | 'auto'

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SDK_DIR = path.join(here, 'node_modules', '@runwayml', 'sdk');

/** The endpoints, the SDK resource file declaring each and its params union (or interface, for one model). */
export const ENDPOINTS = {
  image_to_video: { file: 'image-to-video', params: 'ImageToVideoCreateParams', resource: 'imageToVideo' },
  text_to_video: { file: 'text-to-video', params: 'TextToVideoCreateParams', resource: 'textToVideo' },
  video_to_video: { file: 'video-to-video', params: 'VideoToVideoCreateParams', resource: 'videoToVideo' },
  // Images and transforms (issue 12).
  text_to_image: { file: 'text-to-image', params: 'TextToImageCreateParams', resource: 'textToImage' },
  image_upscale: { file: 'image-upscale', params: 'ImageUpscaleCreateParams', resource: 'imageUpscale' },
  video_upscale: { file: 'video-upscale', params: 'VideoUpscaleCreateParams', resource: 'videoUpscale' },
  video_to_hdr: { file: 'video-to-hdr', params: 'VideoToHdrCreateParams', resource: 'videoToHdr' },
  character_performance: { file: 'character-performance', params: 'CharacterPerformanceCreateParams', resource: 'characterPerformance' },
  // Audio: a union of models (speech, sound effects) or one interface with a single model literal.
  text_to_speech: { file: 'text-to-speech', params: 'TextToSpeechCreateParams', resource: 'textToSpeech', output: 'audio' },
  sound_effect: { file: 'sound-effect', params: 'SoundEffectCreateParams', resource: 'soundEffect', output: 'audio' },
  speech_to_speech: { file: 'speech-to-speech', params: 'SpeechToSpeechCreateParams', resource: 'speechToSpeech', output: 'audio' },
  voice_dubbing: { file: 'voice-dubbing', params: 'VoiceDubbingCreateParams', resource: 'voiceDubbing', output: 'audio' },
  voice_isolation: { file: 'voice-isolation', params: 'VoiceIsolationCreateParams', resource: 'voiceIsolation', output: 'audio' },
};

const MAX_DEPTH = 8; // the params are shallow; the limit only guards against a recursive type

function describe(checker, type, depth) {
  if (depth > MAX_DEPTH) return { kind: 'unknown', note: 'nested too deeply' };
  const f = type.flags;
  if (f & ts.TypeFlags.Unknown || f & ts.TypeFlags.Any) return { kind: 'unknown' };
  if (f & ts.TypeFlags.StringLiteral) return { kind: 'enum', values: [type.value] };
  if (f & ts.TypeFlags.NumberLiteral) return { kind: 'numEnum', values: [type.value] };
  if (f & ts.TypeFlags.Boolean) return { kind: 'boolean' };
  if (f & ts.TypeFlags.String) return { kind: 'string' };
  if (f & ts.TypeFlags.Number) return { kind: 'number' };
  if (type.isUnion()) return describeUnion(checker, type.types, depth);
  // `string & {}` is the SDK's "any other string" beside a list of literals (seedream5_lite's free-form ratio).
  if (type.isIntersection() && type.types.some((t) => t.flags & ts.TypeFlags.String)) return { kind: 'string' };
  if (checker.isArrayType(type)) return { kind: 'array', items: describe(checker, checker.getTypeArguments(type)[0], depth + 1) };
  if (f & ts.TypeFlags.Object) return describeObject(checker, type, depth);
  return { kind: 'unknown', note: checker.typeToString(type) };
}

// Optional properties arrive as `T | undefined` and `boolean` as `true | false`; literals of one
// kind are merged so `'a' | 'b'` is one enum and `number | 'auto'` is number plus enum ['auto'].
function describeUnion(checker, members, depth) {
  const parts = members.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
  const bools = parts.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
  const rest = parts.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
  const out = [];
  if (bools.length > 0) out.push({ kind: 'boolean' });
  for (const t of rest) {
    const d = describe(checker, t, depth + 1);
    const same = out.find((o) => (o.kind === 'enum' || o.kind === 'numEnum') && o.kind === d.kind);
    if (same) same.values.push(...d.values);
    else out.push(d);
  }
  return out.length === 1 ? out[0] : { kind: 'union', types: out };
}

function describeObject(checker, type, depth) {
  const properties = {};
  for (const symbol of checker.getPropertiesOfType(type)) {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    const propType = checker.getTypeOfSymbolAtLocation(symbol, declaration);
    properties[symbol.name] = {
      required: (symbol.flags & ts.SymbolFlags.Optional) === 0,
      type: describe(checker, propType, depth + 1),
      description: ts.displayPartsToString(symbol.getDocumentationComment(checker)) || undefined,
    };
  }
  return { kind: 'object', name: checker.typeToString(type), properties };
}

/** Every endpoint's models, read from the installed SDK's .d.ts files. */
export function sdkEndpoints(sdkDir = SDK_DIR) {
  const files = Object.values(ENDPOINTS).map((e) => path.join(sdkDir, 'resources', `${e.file}.d.ts`));
  const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const result = {};
  for (const [endpoint, { file, params, resource, output = 'video' }] of Object.entries(ENDPOINTS)) {
    const source = program.getSourceFile(path.join(sdkDir, 'resources', `${file}.d.ts`));
    if (!source) throw new Error(`The SDK has no ${file}.d.ts under ${sdkDir}`);
    // A union of models is a type alias; an endpoint with one model declares its params as an interface.
    const alias = source.statements.find((s) => (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) && s.name.text === params);
    if (!alias) throw new Error(`${file}.d.ts declares no type or interface ${params}`);
    const union = checker.getTypeAtLocation(alias.name);
    const members = union.isUnion() ? union.types : [union];
    const models = members.map((member) => {
      const shape = describeObject(checker, member, 0);
      const { model, ...fields } = shape.properties;
      if (model?.type.kind !== 'enum' || model.type.values.length !== 1)
        throw new Error(`${params} member ${shape.name} has no single 'model' literal`);
      return { model: model.type.values[0], interface: shape.name, fields };
    });
    result[endpoint] = { params, resource, output, models };
  }
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(sdkEndpoints(), null, 2) + '\n');
}
