// Prints the versions `changeset version` would write, from `changeset status --output <file>`, and
// flags a 0.x package that the plan moves to 1.0.0 or beyond: on 0.x a minor changeset must stay on 0.x.
// Usage: node check-release-plan.mjs <plan.json>
// Exit code 0, or 3 when a 0.x package would leave 0.x (the caller decides whether that fails the run).
import { readFileSync } from 'node:fs';

const [planFile] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8'));
const releases = plan.releases.filter((release) => release.type !== 'none');
if (releases.length === 0) {
  console.log('  no pending changesets: nothing would be released');
  process.exit(0);
}
console.log(`  ${plan.changesets.length} pending changesets; \`changeset version\` would write:`);
for (const release of releases) console.log(`    ${release.name}: ${release.oldVersion} -> ${release.newVersion} (${release.type})`);
const leaving = releases.filter((release) => release.oldVersion.startsWith('0.') && !release.newVersion.startsWith('0.'));
if (leaving.length > 0) {
  const requested = new Set(plan.changesets.flatMap((changeset) => changeset.releases.filter((release) => release.type === 'major').map((release) => release.name)));
  const unrequested = leaving.filter((release) => !requested.has(release.name));
  if (unrequested.length > 0) {
    console.log(`  WARNING: ${unrequested.map((release) => release.name).join(', ')} would leave 0.x although no changeset asks for a major bump.`);
    console.log('  Cause: changesets bumps a package major when a peer dependency (here @pal/core) leaves its peer range, and the');
    console.log('  fixed group spreads that major to every package. See RELEASING.md ("Peer ranges on 0.x").');
    process.exit(3);
  }
}
