// Sink URLs and options as the CLI takes them: accepted forms, defaults, and the one-line refusals.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/core/errors.js';
import { normalizeOtlpUrl, normalizeSyslogUrl, parseFacility, parseHeader, parseSyslogUrl, sinkProblem, sinkTarget } from '../../../src/core/sink-config.js';

describe('sink configuration', () => {
  it('syslog URLs: TCP and TLS schemes, default ports, IPv6; anything else refused', () => {
    expect(parseSyslogUrl('syslog://logs.example')).toEqual({ host: 'logs.example', port: 514, tls: false });
    expect(parseSyslogUrl('syslog+tls://siem.example')).toEqual({ host: 'siem.example', port: 6514, tls: true });
    expect(parseSyslogUrl('tcp://[::1]:1514')).toEqual({ host: '::1', port: 1514, tls: false });
    expect(normalizeSyslogUrl('tls://[::1]')).toBe('syslog+tls://[::1]:6514');
    for (const bad of ['udp://h:514', 'http://h', 'not a url', 'syslog://h/x']) expect(() => parseSyslogUrl(bad)).toThrow(InvalidInputError);
  });

  it('OTLP URLs get /v1/logs when they have no path', () => {
    expect(normalizeOtlpUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/logs');
    expect(normalizeOtlpUrl('https://otel.example/custom/logs')).toBe('https://otel.example/custom/logs');
    expect(() => normalizeOtlpUrl('grpc://x:4317')).toThrow(/http or https/);
  });

  it('headers, facilities, and what may be shown of a sink', () => {
    expect(parseHeader('authorization=Bearer a=b')).toEqual(['authorization', 'Bearer a=b']);
    expect(() => parseHeader('bad header=x')).toThrow(InvalidInputError);
    expect(() => parseHeader('x=a\r\nb')).toThrow(/line break/);
    expect(parseFacility('auth')).toBe(4);
    expect(parseFacility('local7')).toBe(23);
    expect(parseFacility('13')).toBe(13);
    expect(() => parseFacility('local8')).toThrow(InvalidInputError);
    const common = { id: 'slack-abcd', minSeverity: 'high' as const, fromSeq: 1, createdAt: '' };
    expect(sinkTarget({ ...common, type: 'slack', url: 'https://hooks.slack.com/services/T/B/secret' })).toBe('https://hooks.slack.com/…');
    expect(sinkTarget({ ...common, id: 'webhook-abcd', type: 'webhook', url: 'https://u:p@h.example/in?token=x' })).toBe('https://h.example/in');
    expect(sinkProblem({ ...common, type: 'slack', url: 'x' })).toBeNull();
    expect(sinkProblem({ ...common, type: 'ftp', url: 'x' })).toMatch(/type/);
    expect(sinkProblem({ ...common, type: 'syslog', url: 'x', facility: 99 })).toMatch(/facility/);
  });
});
