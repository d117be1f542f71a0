#!/usr/bin/env node
// grith entry point: hands argv to oclif (commands are compiled into dist/commands).
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
