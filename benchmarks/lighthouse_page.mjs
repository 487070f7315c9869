// One Lighthouse run (mobile, default throttling) of one address in Chromium, with the
// cookies of a signed-in person in the browser's own cookie jar: Nära reads the session
// from the websocket's handshake, which an extra Cookie header does not reach.
// Used by benchmarks/lighthouse.py:  node lighthouse_page.mjs URL COOKIES_JSON CHROMIUM
// Prints Lighthouse's result (the LHR) as JSON.
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [url, cookiesJson, chromium] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: chromium,
  args: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
try {
  const cookies = JSON.parse(cookiesJson);
  if (cookies.length > 0) {
    await browser.setCookie(...cookies);
  }
  const page = await browser.newPage();
  const result = await lighthouse(
    url,
    { output: "json", onlyCategories: ["performance"], logLevel: "error" },
    undefined,
    page,
  );
  process.stdout.write(JSON.stringify(result.lhr));
} finally {
  await browser.close();
}
