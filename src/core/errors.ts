// Typed errors: every failure a user can meet has a stable code, a one-line message and a hint saying what to do.

export abstract class GrithError extends Error {
  abstract readonly code: string;
  /** Process exit status when this error ends a command. 1 is reserved for "canary found" in `grith scan`. */
  readonly exitCode: number = 2;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
  toJSON(): { code: string; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

export class StoreCorruptError extends GrithError {
  readonly code = 'STORE_CORRUPT';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      `canary store ${file} is unreadable: ${detail}`,
      `grith never overwrites it; fix or move the file aside (mv ${file} ${file}.bad) and re-add your canaries`,
    );
  }
}

export class StoreUnavailableError extends GrithError {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`cannot use canary store ${file}: ${detail}`, 'check that GRITH_HOME points at a folder you own');
  }
}

export class StoreLockTimeoutError extends GrithError {
  readonly code = 'STORE_LOCKED';
  constructor(readonly lockPath: string) {
    super(
      `canary store is locked by another grith process (${lockPath})`,
      'retry; if no grith process is running, remove the lock folder',
    );
  }
}

export class HomeMissingError extends GrithError {
  readonly code = 'HOME_MISSING';
  constructor(readonly home: string) {
    super(`grith home ${home} does not exist`, 'add a canary first (grith canary add --format F) or set GRITH_HOME');
  }
}

/** The home is a file (or a parent of it is): it can hold no store. */
export class HomeNotFolderError extends GrithError {
  readonly code = 'HOME_NOT_A_FOLDER';
  constructor(
    readonly home: string,
    label: string,
    blocker: string,
  ) {
    super(
      blocker === home ? `${label} ${home} is a file, not a folder` : `${label} ${home} cannot be a folder: ${blocker} is a file`,
      'point GRITH_HOME at a folder, which grith creates with mode 0700, or move the file away',
    );
  }
}

/** Like ssh with a key others can write: a home someone else can write is someone else's trap. */
export class HomeUnsafeError extends GrithError {
  readonly code = 'HOME_UNSAFE';
}

export class CanaryNotFoundError extends GrithError {
  readonly code = 'CANARY_NOT_FOUND';
  constructor(readonly id: string) {
    super(`no canary with id "${id}"`, 'list canaries with: grith canary list');
  }
}

export class UnknownFormatError extends GrithError {
  readonly code = 'UNKNOWN_FORMAT';
  constructor(
    readonly format: string,
    known: readonly string[],
  ) {
    super(`unknown canary format "${format}"`, `known formats: ${known.join(', ')} (grith canary formats)`);
  }
}

export class PlacementExistsError extends GrithError {
  readonly code = 'PLACEMENT_EXISTS';
  constructor(readonly path: string) {
    super(`refusing to overwrite existing file ${path}`, 'choose a path that does not exist yet');
  }
}

export class InvalidInputError extends GrithError {
  readonly code = 'INVALID_INPUT';
}

export class EventLogCorruptError extends GrithError {
  readonly code = 'EVENTS_CORRUPT';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`event log ${file} is unreadable: ${detail}`, 'run grith events --verify to locate the damage');
  }
}

export class FuseUnavailableError extends GrithError {
  readonly code = 'FUSE_UNAVAILABLE';
}

export class MountError extends GrithError {
  readonly code = 'MOUNT_FAILED';
}

export class ProxyError extends GrithError {
  readonly code = 'PROXY_FAILED';
}

export function isGrithError(e: unknown): e is GrithError {
  return e instanceof GrithError;
}

export class InsideSessionError extends GrithError {
  readonly code = 'INSIDE_SESSION';
  constructor(what: string) {
    super(`${what} is not available inside a guarded session`, "run it outside the session (the canary store is out of the session's reach)");
  }
}
