#!/usr/bin/env node
// Validates Reelay's /openapi/v1.json and drives the server with requests generated from it.
//
// Usage: node openapi-check.mjs
//
// Environment:
//   REELAY_BASE_URL    the server, e.g. http://127.0.0.1:5123
//   REELAY_API_KEY     an API key of an organization with plenty of credits
//   REELAY_IMAGE_FILE  a PNG; REELAY_VIDEO_FILE an MP4; REELAY_AUDIO_FILE an MP3 (sent as data URIs)
//
// Output: ONE line of JSON on stdout:
//   { valid, errors, schemaErrors, members: {endpoint: [{component, model, mapped}]},
//     requests: [{endpoint, model, status, ...}], responseProblems: [...] }
// "valid" is @apidevtools/swagger-parser's verdict. Every request body is built from the document alone (required
// fields only; const, the first enum value, the minimum number, a data URI for media); every answer is checked
// against the response schema the document states for its status (ajv, JSON Schema 2020-12). The C# test judges.

import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020.js';

const base = process.env.REELAY_BASE_URL;
const key = process.env.REELAY_API_KEY;
const version = '2024-11-06';
const dataUri = (file, type) => `data:${type};base64,${readFileSync(file).toString('base64')}`;
const media = {
  image: dataUri(process.env.REELAY_IMAGE_FILE, 'image/png'),
  video: dataUri(process.env.REELAY_VIDEO_FILE, 'video/mp4'),
  audio: dataUri(process.env.REELAY_AUDIO_FILE, 'audio/mpeg'),
};
const imageBase64 = readFileSync(process.env.REELAY_IMAGE_FILE).toString('base64');

// OpenAPI's own keywords (discriminator, x-*) are not JSON Schema's: ajv is told to let them pass.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const responseProblems = [];

const document = await (await fetch(`${base}/openapi/v1.json`)).json();
const report = { valid: false, errors: [], members: {}, requests: [], responseProblems };
try {
  await SwaggerParser.validate(structuredClone(document));
  report.valid = true;
} catch (error) {
  report.errors.push(String(error.message ?? error));
}
const resolved = await SwaggerParser.dereference(structuredClone(document));

// swagger-parser checks the document's structure; for OpenAPI 3.1 it leaves Schema Objects to the JSON Schema
// dialect. Compiling each component with a strict 2020-12 ajv checks them as JSON Schema (a typo such as
// "type": "objekt" fails here). OpenAPI's own keywords are declared so that strict mode accepts them.
const strict = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
strict.addVocabulary(['discriminator', 'x-reelay-media', 'example', 'xml', 'externalDocs']);
report.schemaErrors = [];
for (const [name, schema] of Object.entries(resolved.components?.schemas ?? {})) {
  try {
    strict.compile(schema);
  } catch (error) {
    report.schemaErrors.push(`${name}: ${error.message}`);
  }
}

/** A value for a schema from the document alone: the smallest request it describes. */
function sample(schema) {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf || schema.oneOf) return sample((schema.anyOf ?? schema.oneOf)[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema['x-reelay-media']) return schema.contentEncoding === 'base64' ? imageBase64 : media[schema['x-reelay-media']];
  switch (type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((name) => [name, sample(schema.properties[name])]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 1 }, () => sample(schema.items));
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
    case 'boolean':
      return false;
    default: {
      const text = 'a lighthouse at dusk, waves rolling in';
      const min = schema.minLength ?? 1;
      return (text.length >= min ? text : text.padEnd(min, '.')).slice(0, schema.maxLength ?? text.length);
    }
  }
}

/** Sends a request and checks the answer against the document's response schema for that status. */
async function call(method, path, { body, headers = {}, runway = true } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      ...(runway ? { 'X-Runway-Version': version } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text.length > 0 ? JSON.parse(text) : undefined;
  const template = path.replace(/\/[0-9a-f-]{36}$/, '/{id}');
  const documented = resolved.paths[template]?.[method.toLowerCase()]?.responses?.[String(response.status)];
  if (!documented) responseProblems.push(`${method} ${template} answered ${response.status}, which the document does not list`);
  const schema = documented?.content?.['application/json']?.schema;
  if (schema && !ajv.validate(schema, json))
    responseProblems.push(`${method} ${template} ${response.status}: ${ajv.errorsText(ajv.errors)} in ${text.slice(0, 300)}`);
  if (documented && !schema && json !== undefined) responseProblems.push(`${method} ${template} ${response.status} has a body the document does not describe`);
  return { status: response.status, json, text };
}

// Every Runway generation route the document describes with a model union (video, image, audio, ...), not a fixed list.
const generationEndpoints = Object.keys(document.paths)
  .filter((p) => /^\/v1\/[a-z_]+$/.test(p) && document.paths[p].post?.requestBody?.content?.['application/json']?.schema?.oneOf)
  .map((p) => p.slice(4));
for (const endpoint of generationEndpoints) {
  const raw = document.paths[`/v1/${endpoint}`]?.post?.requestBody?.content?.['application/json']?.schema;
  if (!raw) continue;
  const mapping = raw.discriminator?.mapping ?? {};
  report.members[endpoint] = (raw.oneOf ?? []).map(({ $ref }) => {
    const component = $ref.split('/').pop();
    const model = document.components.schemas[component]?.properties?.model?.const;
    return { component, model, mapped: mapping[model] === $ref };
  });
  const union = resolved.paths[`/v1/${endpoint}`].post.requestBody.content['application/json'].schema;
  for (const member of union.oneOf) {
    const body = sample(member);
    const created = await call('POST', `/v1/${endpoint}`, { body });
    const entry = { endpoint, model: body.model, status: created.status, error: created.status === 200 ? undefined : created.text.slice(0, 600) };
    if (created.status === 200) {
      entry.get = (await call('GET', `/v1/tasks/${created.json.id}`)).status;
      // Deleted at once: the test is about what the document lets a client send, not about rendering it.
      entry.delete = (await call('DELETE', `/v1/tasks/${created.json.id}`)).status;
    }
    report.requests.push(entry);
  }
  // A refusal has the documented error shape too.
  const refused = await call('POST', `/v1/${endpoint}`, { body: { model: report.members[endpoint][0].model, unknownField: 1 } });
  report.requests.push({ endpoint, model: '(invalid)', status: refused.status });
}

const sora = resolved.paths['/v1/sora/generate']?.post?.requestBody?.content?.['application/json']?.schema;
if (sora) {
  const created = await call('POST', '/v1/sora/generate', { body: sample(sora), runway: false });
  const entry = { endpoint: 'sora_generate', model: '(RunBlob)', status: created.status, error: created.status === 201 ? undefined : created.text.slice(0, 600) };
  if (created.status === 201) {
    entry.get = (await call('GET', `/v1/sora/generations/${created.json.generation_id}`, { runway: false })).status;
    entry.delete = (await call('DELETE', `/v1/tasks/${created.json.generation_id}`)).status;
  }
  entry.balance = (await call('GET', '/v1/data/balance', { runway: false })).status;
  report.requests.push(entry);
}

console.log(JSON.stringify(report));
