/** Whether `url` names this machine (localhost, 127.0.0.0/8, ::1): what a test or a demo service listens on. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether a secret sent to `url` crosses the network in clear text: plain http to another host. */
export function inClearText(url: string): boolean {
  return /^http:\/\//i.test(url) && !isLoopbackUrl(url);
}
