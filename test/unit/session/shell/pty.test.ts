// Full-screen programs: the alternate screen is seen in the program's output, so banners wait until it is left.
import { describe, expect, it } from 'vitest';
import { screenSwitch } from '../../../../src/session/shell/pty.js';

describe('screenSwitch', () => {
  it('sees entering and leaving the alternate screen (1049, 1047, 47), the last switch winning', () => {
    expect(screenSwitch('plain output')).toBeNull();
    expect(screenSwitch('\x1b[?1049h\x1b[H')).toBe(true);
    expect(screenSwitch('bye\x1b[?1049l')).toBe(false);
    expect(screenSwitch('\x1b[?47h')).toBe(true);
    expect(screenSwitch('\x1b[?1047l')).toBe(false);
    expect(screenSwitch('\x1b[?1049h...\x1b[?1049l')).toBe(false);
    expect(screenSwitch('\x1b[?2004h')).toBeNull();
  });
});
