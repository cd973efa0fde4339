// What every flow shares: the client built exactly as a user would (only the base URL and key
// come from the environment), and the one JSON line a flow prints for the xunit wrapper to read.
import Anthropic from '@anthropic-ai/sdk';

export function client(): Anthropic {
  // ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY are read by the SDK itself.
  return new Anthropic({ maxRetries: 2, timeout: 30_000 });
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The flow's result: one line, prefixed so SDK log lines on stdout cannot be mistaken for it. */
export function report(result: unknown): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** An agent whose system prompt carries the test's tag, so the fake model answers from that test's script. */
export async function createAgent(anthropic: Anthropic, tools: Anthropic.Beta.AgentCreateParams['tools'] = []) {
  return anthropic.beta.agents.create({
    name: `interop-${Date.now()}`,
    model: 'claude-sonnet-4-6',
    system: required('HANGAR_SYSTEM_PROMPT'),
    tools,
  });
}

export async function cloudSession(anthropic: Anthropic, agentId: string) {
  const environment = await anthropic.beta.environments.create({
    name: `interop-${Date.now()}`,
    config: { type: 'cloud' },
  });
  const session = await anthropic.beta.sessions.create({ agent: agentId, environment_id: environment.id });
  return { environment, session };
}

export function userMessage(text: string): Anthropic.Beta.Sessions.EventSendParams {
  return { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] };
}

/** The text of an agent.message's content (redacted blocks carry none). */
export function textOf(content: ReadonlyArray<{ type: string } & Partial<{ text: string }>>): string {
  return content.map((block) => block.text ?? '').join('');
}
