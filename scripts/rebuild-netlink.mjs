// Rebuilds the `netlink` package's native binding from its (patched) source.
// Why: netlink@0.3.0's prebuilt binary aborts the whole process when a
// socket overruns (ENOBUFS reported as POLLERR, then an ErrnoException with a
// NULL syscall throws inside a native callback; KERNEL-FACTS.md A4).
// patches/netlink+0.3.0.patch fixes the source; node-gyp-build prefers
// build/Release over prebuilds/, so the fixed binary is the one loaded.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dir = dirname(require.resolve('netlink/package.json'));
if (!existsSync(join(dir, 'src', 'binding.cc'))) {
  console.error('ctnet: netlink source not found; cannot rebuild the patched binding');
  process.exit(1);
}
execFileSync('node-gyp', ['rebuild'], { cwd: dir, stdio: 'inherit' });
