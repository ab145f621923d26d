import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/**
 * An integrator's endpoint on 127.0.0.1: keeps every request (raw body and headers) and answers what
 * `answer` says (200 by default), as a real receiver would.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (body: string) => number = () => 200;
  private server: Server | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = this.answer(body);
        this.received.push({ headers: request.headers, body, status });
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status < 300 ? 'thanks' : `<b>endpoint trouble ${status}</b>`);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this.url;
  }

  /** The requests the receiver took (a 2xx answer). */
  accepted(): ReceivedWebhook[] {
    return this.received.filter((r) => r.status < 300);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
