// Flow (f): the official EnvironmentWorker serves a self-hosted environment of Hangar. The test
// made the environment and its key; this script creates the agent and session with the API key,
// runs the SDK's worker (poll, ack, heartbeat, the agent toolset on this host), sends a message
// and reads the stream until the turn ends, then stops the worker.
import { client, createAgent, report, required, userMessage, textOf } from './common.js';

const anthropic = client();
const environmentId = required('HANGAR_ENVIRONMENT_ID');
const agent = await createAgent(anthropic, [{ type: 'agent_toolset_20260401' }]);
const session = await anthropic.beta.sessions.create({ agent: agent.id, environment_id: environmentId });

const stopWorker = new AbortController();
const worker = anthropic.beta.environments.work.worker({
  environmentId,
  environmentKey: required('ANTHROPIC_ENVIRONMENT_KEY'),
  workdir: required('HANGAR_WORKDIR'),
  workerId: 'interop-ts-worker',
  // Memory stores are not part of this flow; keep the worker from probing for them.
  memorySyncIntervalMs: null,
});
const running = worker.run(stopWorker.signal).then(
  () => 'stopped',
  (e: unknown) => `failed: ${String(e)}`,
);

const streamed: string[] = [];
const toolResults: unknown[] = [];
let stopReason: string | undefined;
let text = '';
const stream = await anthropic.beta.sessions.events.stream(session.id);
await anthropic.beta.sessions.events.send(session.id, userMessage('Where does bash run?'));
for await (const event of stream) {
  streamed.push(event.type);
  if (event.type === 'user.tool_result') toolResults.push(event);
  if (event.type === 'agent.message') text += textOf(event.content);
  if (event.type === 'session.status_idle') {
    stopReason = event.stop_reason.type;
    if (stopReason !== 'requires_action') break;
  }
}

stopWorker.abort();
const workerOutcome = await running;
const history: string[] = [];
for await (const event of anthropic.beta.sessions.events.list(session.id, { limit: 100 })) history.push(event.type);

report({
  session_id: session.id,
  streamed,
  history,
  tool_results: toolResults,
  stop_reason: stopReason,
  text,
  worker: workerOutcome,
});
