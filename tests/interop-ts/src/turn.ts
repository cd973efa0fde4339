// Flow (a): agent, environment and session through the SDK, one user message, the stream read
// until the session is idle, then the whole history listed back with auto-paging.
import { client, cloudSession, createAgent, report, userMessage, textOf } from './common.js';

const anthropic = client();
const agent = await createAgent(anthropic);
const { environment, session } = await cloudSession(anthropic, agent.id);

const streamed: string[] = [];
let stopReason: string | undefined;
let text = '';
// Open the stream before sending so no event of the turn is missed.
const stream = await anthropic.beta.sessions.events.stream(session.id);
await anthropic.beta.sessions.events.send(session.id, userMessage('Say hello.'));
for await (const event of stream) {
  streamed.push(event.type);
  if (event.type === 'agent.message') text += textOf(event.content);
  if (event.type === 'session.status_idle') {
    stopReason = event.stop_reason.type;
    break;
  }
}

const listed: string[] = [];
for await (const event of anthropic.beta.sessions.events.list(session.id, { limit: 2 })) listed.push(event.type);
const retrieved = await anthropic.beta.sessions.retrieve(session.id);

report({
  agent_id: agent.id,
  environment_id: environment.id,
  session_id: session.id,
  streamed,
  listed,
  stop_reason: stopReason,
  text,
  status: retrieved.status,
});
