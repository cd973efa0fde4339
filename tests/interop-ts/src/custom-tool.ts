// Flow (b): a custom tool round trip. The agent asks for get_weather, the client answers with
// user.custom_tool_result, and the turn ends with end_turn.
import { client, cloudSession, createAgent, report, userMessage, textOf } from './common.js';

const anthropic = client();
const agent = await createAgent(anthropic, [
  {
    type: 'custom',
    name: 'get_weather',
    description: 'Current weather for a city.',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
]);
const { session } = await cloudSession(anthropic, agent.id);

const streamed: string[] = [];
const stopReasons: string[] = [];
const toolInputs: unknown[] = [];
let text = '';
const stream = await anthropic.beta.sessions.events.stream(session.id);
await anthropic.beta.sessions.events.send(session.id, userMessage('Weather in Paris?'));
for await (const event of stream) {
  streamed.push(event.type);
  if (event.type === 'agent.custom_tool_use') {
    toolInputs.push(event.input);
    await anthropic.beta.sessions.events.send(session.id, {
      events: [
        {
          type: 'user.custom_tool_result',
          custom_tool_use_id: event.id,
          content: [{ type: 'text', text: 'Sunny, 21°C' }],
        },
      ],
    });
  }
  if (event.type === 'agent.message') text += textOf(event.content);
  if (event.type === 'session.status_idle') {
    stopReasons.push(event.stop_reason.type);
    if (event.stop_reason.type === 'end_turn') break;
  }
}

report({ session_id: session.id, streamed, stop_reasons: stopReasons, tool_inputs: toolInputs, text });
