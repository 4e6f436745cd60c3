// The sandboxed Docker engine lives beside the benchmark that also uses it (bench/dockerd.ts).
export * from '../../bench/dockerd.js';
