// Prints one line per published (non-private) workspace package: "<name>\t<directory>".
// Reads `pnpm -r ls --json`, so it sees exactly the packages pnpm publishes.
import { execFileSync } from 'node:child_process';

const listing = JSON.parse(execFileSync('pnpm', ['-r', 'ls', '--depth', '-1', '--json'], { encoding: 'utf8' }));
const published = listing.filter((entry) => entry.private === false && entry.name && entry.name.startsWith('@pal/'));
published.sort((a, b) => (a.name === '@pal/core' ? -1 : b.name === '@pal/core' ? 1 : a.name.localeCompare(b.name)));
for (const entry of published) console.log(`${entry.name}\t${entry.path}`);
