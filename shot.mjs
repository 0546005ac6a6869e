import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
for (const f of process.argv.slice(2)) {
  const p = await b.newPage({ viewport: { width: 1280, height: 900 } });
  await p.goto('file://' + f);
  console.log(f, JSON.stringify(await p.$$eval('section#answer .scroll', (bs) => bs.map((x) => x.scrollWidth - x.clientWidth))));
  await p.locator('section#answer').screenshot({ path: f.replace('.html', '.png') });
}
await b.close();
