#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
import { main } from '../dist/orchestrator/cli/main.js';

main(process.argv, process.env).then((code) => { process.exitCode = code; });
