// Model endpoints: the providers' hosts, the base URLs an agent is configured with, and --model-host.
import { describe, expect, it } from 'vitest';
import { endpointOfFlag, endpointOfUrl, ModelEndpoints } from '../../../src/core/model-endpoints.js';

describe('ModelEndpoints', () => {
  const e = ModelEndpoints.from(
    { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8080/proxy', OPENAI_BASE_URL: 'https://llm.corp.example/v1', OLLAMA_HOST: '10.1.2.3:11434', HOME: '/x' },
    ['models.internal:8443', '[::1]:9000', 'plain.example'],
  );
  const table: Array<[string, number, boolean]> = [
    ['api.anthropic.com', 443, true],
    ['API.Anthropic.COM.', 443, true],
    ['api.anthropic.com', 80, false],
    ['evil-api.anthropic.com', 443, false],
    ['myres.openai.azure.com', 443, true],
    ['a.b.openai.azure.com', 443, false],
    ['bedrock-runtime.eu-west-1.amazonaws.com', 443, true],
    ['127.0.0.1', 8080, true],
    ['127.0.0.1', 8081, false],
    ['llm.corp.example', 443, true],
    ['10.1.2.3', 11434, true],
    ['models.internal', 8443, true],
    ['::1', 9000, true],
    ['plain.example', 443, true],
    ['attacker.example', 443, false],
  ];
  for (const [host, port, want] of table) it(`${host}:${port} → ${want}`, () => expect(e.matches(host, port)).toBe(want));

  it('describes its own endpoints before the provider defaults', () => {
    expect(e.describe()).toBe('127.0.0.1:8080, llm.corp.example:443, 10.1.2.3:11434, models.internal:8443, [::1]:9000, plain.example:443, 9 provider API hosts');
  });

  it('rejects what is not a host or URL', () => {
    expect(endpointOfFlag('http://x')).toBeNull();
    expect(endpointOfFlag('host:99999')).toBeNull();
    expect(endpointOfUrl('::::', 'X')).toBeNull();
  });
});
