#!/usr/bin/env node
// The installed `licmon` command: registers tsx in this process and runs the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import('../cli/licmon.ts');
