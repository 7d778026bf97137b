// `npm run docs:dashboard`: draws the stack's CloudWatch dashboard (shared/stack/dashboard.ts) for
// the example deployment into docs/dashboard.svg, with modelled lines (scripts/dashboard/modelled.ts),
// and, where librsvg's rsvg-convert is installed, a PNG of it for a look (not committed).
// `tsx scripts/render-dashboard.ts clusters.json out.svg` draws another config's dashboard.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseConfig } from '../shared/config/load';
import { dashboardBody } from '../shared/stack/dashboard';
import { DASHBOARD_SVG, exampleDashboardConfig } from './dashboard/example';
import { modelledSeries } from './dashboard/modelled';
import { renderDashboard } from './dashboard/svg';

const PNG = '/tmp/dashboard.png';

function main(): void {
  const [configPath, out = DASHBOARD_SVG] = process.argv.slice(2);
  const config = configPath ? parseConfig(JSON.parse(readFileSync(configPath, 'utf8'))) : exampleDashboardConfig();
  const svg = renderDashboard(dashboardBody(config), modelledSeries);
  writeFileSync(out, svg);
  console.log(`wrote ${out} (${config.clusters.length} cluster(s), ${(svg.length / 1024).toFixed(0)} KiB)`);
  const png = spawnSync('rsvg-convert', ['--zoom', '1', '-o', PNG, out], { encoding: 'utf8' });
  if (png.error) console.log('rsvg-convert not found (apt package librsvg2-bin): no PNG preview');
  else if (png.status !== 0) throw new Error(`rsvg-convert failed: ${png.stderr}`);
  else console.log(`wrote ${PNG} (preview, not committed)`);
}

main();
