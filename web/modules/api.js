// Requests to the service: the JSON answer, or an HttpError that keeps the status so the
// page can tell the visitor what went wrong in words (the URL stays in the console).

export class HttpError extends Error {
  constructor(url, status) {
    super(`${url}: HTTP ${status}`);
    this.url = url;
    this.status = status;
  }
}

export async function getJson(url, options) {
  const resp = await fetch(url, options);
  if (!resp.ok) throw new HttpError(url, resp.status);
  return resp.json();
}

export const postJson = (url, body) =>
  getJson(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
