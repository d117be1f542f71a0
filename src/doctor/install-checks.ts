// Requirements grith builds itself at install: the patched FUSE binding, the exec-guard library, node-pty's addon.
import { loadFuse } from '../guards/fs/fuse-binding.js';
import { execGuardState, fuseBindingState, launchState, ptyState, type PartState } from '../install/native-parts.js';
import { firstLine, missing, ok, type CheckResult } from './check.js';

function fromState(id: string, title: string, s: PartState): CheckResult {
  return s.ok ? ok(id, title, s.detail) : missing(id, title, s.detail, s.hint);
}

export async function checkFuseBinding(): Promise<CheckResult> {
  const title = 'FUSE binding';
  const state = fuseBindingState();
  if (!state.ok) return fromState('fuse-binding', title, state);
  try {
    await loadFuse();
    return fromState('fuse-binding', title, state);
  } catch (e) {
    return missing('fuse-binding', title, firstLine(e).replace(/^FUSE is not available: /, ''), (e as { hint?: string }).hint);
  }
}

export function checkExecGuard(): CheckResult {
  return fromState('exec-guard', 'exec guard library', execGuardState());
}

export function checkLaunch(): CheckResult {
  return fromState('launch', 'seccomp supervisor', launchState());
}

export function checkPty(): CheckResult {
  return fromState('pty', 'PTY binding (node-pty)', ptyState());
}

/** The checks `grith doctor --fix` can satisfy by building in place. */
export const NATIVE_CHECK_IDS = new Set(['fuse-binding', 'exec-guard', 'launch', 'pty']);
