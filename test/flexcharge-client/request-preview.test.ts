import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlexChargeClient } from '../../adapters/flexcharge/flexcharge-client.js';
import { createFlexChargeRescueProvider } from '../../adapters/flexcharge/flexcharge-rescue-provider.js';
import { REDACTED, redact } from '../../adapters/flexcharge/redact.js';
import type { EvaluateRequest, TransmitRequest } from '../../adapters/flexcharge/wire/requests.js';
import type { ChargeReport, RenewalFailure } from '../../plugin/core/billing-engine.js';
import { renewalFailure, renewalSubmission } from './renewal-fixture.js';

const MID = '7d3c2b1a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const TOKEN = 'fc-token-secret-0123456789';

/** A client that records what would be sent; every call fails the test unless `allowSend`. */
function recordingClient(allowSend = false) {
  const sent: { evaluate: EvaluateRequest[]; transmit: TransmitRequest[] } = { evaluate: [], transmit: [] };
  const refuse = () => {
    throw new Error('a preview must not call FlexCharge');
  };
  const client = new Proxy({} as FlexChargeClient, {
    get(_target, name) {
      if (allowSend && name === 'evaluate')
        return async (req: EvaluateRequest) => {
          sent.evaluate.push(req);
          return { status: 'SUBMITTED', orderSessionKey: 'a-key', orderId: 'a-key' };
        };
      if (allowSend && name === 'transmit')
        return async (req: TransmitRequest) => {
          sent.transmit.push(req);
          return { transmitId: 'tx-1' };
        };
      return refuse;
    },
  });
  return { client, sent };
}

/** §6.4's whole address, so that nothing the contract requires is missing. */
function complete(renewal: RenewalFailure): RenewalFailure {
  const card = renewal.card!;
  return {
    ...renewal,
    card: {
      ...card,
      billingAddress: { ...card.billingAddress!, line1: 'Unter den Linden 1', city: 'Berlin' },
    },
  };
}

const submission = (overrides: Parameters<typeof renewalSubmission>[0] = {}) =>
  renewalSubmission({ cardToken: TOKEN, renewal: complete(renewalFailure()), ...overrides });

const charge: ChargeReport = {
  chargeId: 'ch_1',
  context: { initiator: 'merchant', orderSource: 'website', siteMetadata: null },
  succeeded: true,
  amount: { amount: 1999, currency: 'EUR' },
  createdAt: new Date('2026-06-12T14:00:00Z'),
  invoiceId: 'in_1',
  subscription: {
    id: 'sub_1',
    interval: 'month',
    intervalCount: 1,
    price: { amount: 1999, currency: 'EUR' },
  },
  offSession: true,
  code: null,
  declineCode: null,
  networkDeclineCode: null,
  networkStatus: 'approved',
  network: 'visa',
  checks: null,
  card: renewalFailure().card,
  customer: { id: 'cus_1', email: 'ada@example.com', phone: null },
  statementDescriptor: null,
};
const transmitContext = {
  merchantOrderId: 'in_1',
  flow: 'mit',
  site: { kind: 'site_id', value: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e' },
  merchantSiteId: null,
} as const;

describe('previews of the requests the FlexCharge provider would send (shadow mode)', () => {
  it('previews exactly the evaluate body submitRenewal sends, token redacted, and finds nothing wrong', async () => {
    const { client, sent } = recordingClient(true);
    const provider = createFlexChargeRescueProvider({ client, environment: 'sandbox', mid: MID });
    const preview = provider.previewRenewal(submission());
    assert.deepEqual(preview.problems, []);
    await provider.submitRenewal(submission());
    const [body] = sent.evaluate;
    assert.ok(body);
    const redacted = redact(body) as EvaluateRequest;
    assert.deepEqual(preview.body, {
      ...redacted,
      paymentMethod: { ...redacted.paymentMethod, cardNumber: REDACTED },
    });
  });

  it('never shows the card token, not even its last characters', () => {
    const { client } = recordingClient();
    const provider = createFlexChargeRescueProvider({ client, environment: 'sandbox', mid: MID });
    const preview = provider.previewRenewal(submission());
    const text = JSON.stringify(preview.body);
    assert.doesNotMatch(text, /fc-token-secret|6789/);
    assert.equal(
      (preview.body as { paymentMethod: { cardNumber: string } }).paymentMethod.cardNumber,
      REDACTED,
    );
  });

  it('names each required field that is missing, one line per field, and calls nothing', () => {
    const { client } = recordingClient();
    const provider = createFlexChargeRescueProvider({ client, environment: 'sandbox', mid: undefined });
    const preview = provider.previewRenewal(renewalSubmission({ cardToken: TOKEN }));
    assert.deepEqual(preview.problems, [
      'mid: is required',
      'billingInformation.addressLine1: is required',
      'billingInformation.city: is required',
    ]);
    assert.equal('mid' in preview.body, false);
  });

  it('names a bad format and the older pages’ customerIp on a CIT', () => {
    const { client } = recordingClient();
    const provider = createFlexChargeRescueProvider({ client, environment: 'sandbox', mid: MID });
    const preview = provider.previewRenewal(
      submission({ flow: 'cit_call_center', site: { kind: 'site_url', value: 'not a url' } }),
    );
    assert.deepEqual(preview.problems, [
      'siteUrl: must be an http(s) URL',
      'customerIp: is required on a CIT (older contract pages)',
    ]);
  });

  it('previews the transmit body transmit sends; a charge with no card is missing its paymentMethod', async () => {
    const { client, sent } = recordingClient(true);
    const provider = createFlexChargeRescueProvider({ client, environment: 'sandbox', mid: MID });
    const preview = provider.previewTransmit(charge, transmitContext);
    assert.deepEqual(preview.problems, []);
    await provider.transmit(charge, transmitContext);
    assert.deepEqual(preview.body, redact(sent.transmit[0]));
    assert.deepEqual(provider.previewTransmit({ ...charge, card: null }, transmitContext).problems, [
      'paymentMethod: is required',
    ]);
  });
});
