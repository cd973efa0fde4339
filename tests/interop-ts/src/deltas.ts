// Flow (e): a stream opened with event_deltas=[agent.message] sees event_start and event_delta
// frames for the message while the model writes it, before the final agent.message.
import { client, cloudSession, createAgent, report, userMessage, textOf } from './common.js';

const anthropic = client();
const agent = await createAgent(anthropic);
const { session } = await cloudSession(anthropic, agent.id);

const frames: { type: string; event_id?: string; text?: string }[] = [];
const stream = await anthropic.beta.sessions.events.stream(session.id, { event_deltas: ['agent.message'] });
await anthropic.beta.sessions.events.send(session.id, userMessage('Tell me a story.'));
for await (const event of stream) {
  if (event.type === 'event_start') frames.push({ type: event.type, event_id: event.event.id });
  else if (event.type === 'event_delta') {
    frames.push({ type: event.type, event_id: event.event_id, text: event.delta.content.text });
  } else if (event.type === 'agent.message') {
    frames.push({ type: event.type, event_id: event.id, text: textOf(event.content) });
  } else frames.push({ type: event.type });
  if (event.type === 'session.status_idle') break;
}

report({ session_id: session.id, frames });
