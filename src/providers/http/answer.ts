/** One HTTP answer, body already read within its size bound. */
export interface HttpAnswer {
  status: number;
  /** Lower-case names, first value of repeated headers. */
  headers: Record<string, string>;
  /** Parsed JSON of a 2xx answer; for errors, the parsed body when it was JSON. */
  body: unknown;
}

/** The `message` an API put in an error body, shortened for logs. */
export function answerMessage(answer: HttpAnswer): string {
  const body = answer.body;
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const message = (body as { message: unknown }).message;
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
  }
  return '';
}
