// The commands that read the host and plan (plan, apply, destroy, ls), loaded by one import: the bundle keeps
// what they share in one file, where a file per set of commands sharing a module made a plan load 22 files (17 now)
// (each costs Node's loader a resolve, a read and a link; 1-2.5 ms of a plan on Node 22, measured).
// validate stays apart (it reads no host), and so do show and graph (they load the YAML writer).
export { planCommand } from './plan.js';
export { applyCommand } from './apply.js';
export { lsCommand, projectNames } from './ls.js';
export { destroyCommand } from './destroy.js';
