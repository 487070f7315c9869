// One Lighthouse run (mobile, default throttling) of one address in Chromium, with the
// cookies of a signed-in person in the browser's own cookie jar: Nära reads the session
// from the websocket's handshake, which an extra Cookie header does not reach.
// Used by benchmarks/lighthouse.py:  node lighthouse_page.mjs URL COOKIES_JSON CHROMIUM [repeat]
// Prints Lighthouse's result (the LHR) as JSON. With "repeat": a first visit (Lighthouse
// clears the site's storage, service worker included), then the page opened until the
// service worker controls it, then a repeat visit that keeps what the worker kept;
// prints {"first": LHR, "repeat": LHR}.
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [url, cookiesJson, chromium, mode] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: chromium,
  args: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const settings = { output: "json", onlyCategories: ["performance"], logLevel: "error" };

async function run(page, flags) {
  return (await lighthouse(url, { ...settings, ...flags }, undefined, page)).lhr;
}

try {
  const cookies = JSON.parse(cookiesJson);
  if (cookies.length > 0) {
    await browser.setCookie(...cookies);
  }
  const page = await browser.newPage();
  if (mode !== "repeat") {
    process.stdout.write(JSON.stringify(await run(page, {})));
  } else {
    const first = await run(page, {});
    // Lighthouse's reset also removed the cookies: put them back, as a resident's phone has them.
    if (cookies.length > 0) {
      await browser.setCookie(...cookies);
    }
    await page.goto(url, { waitUntil: "load" });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload({ waitUntil: "load" }); // the worker controls this load
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the worker keeps what it fetched
    const repeat = await run(page, { disableStorageReset: true });
    process.stdout.write(JSON.stringify({ first, repeat }));
  }
} finally {
  await browser.close();
}
