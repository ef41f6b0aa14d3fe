#!/usr/bin/env node
// One Model Router request through the unmodified @runwayml/sdk: generate[REELAY_ROUTER_KIND].create(body),
// then waitForTaskOutput(). Prints one JSON line: {created, task} or {error: {status, body}}.
// Environment: REELAY_BASE_URL, REELAY_API_KEY, REELAY_ROUTER_KIND (video|image|audio), REELAY_ROUTER_BODY (JSON).
import RunwayML, { APIError } from '@runwayml/sdk';

const client = new RunwayML({ apiKey: process.env.REELAY_API_KEY, baseURL: process.env.REELAY_BASE_URL, maxRetries: 0 });
const body = JSON.parse(process.env.REELAY_ROUTER_BODY);
try {
  const pending = client.generate[process.env.REELAY_ROUTER_KIND].create(body);
  pending.catch(() => {});
  const created = await pending;
  const task = await pending.waitForTaskOutput({ timeout: 3 * 60_000 });
  console.log(JSON.stringify({ created, task }));
} catch (err) {
  if (!(err instanceof APIError)) throw err;
  console.log(JSON.stringify({ error: { status: err.status, body: err.error } }));
}
