import express, { type RequestHandler } from 'express';
import { ValidationError } from '../core/errors.js';

// body-parser's message for malformed JSON quotes the body around the fault (V8: `..."pSecret": sk_li"...`),
// and the error middleware logs it: a body carrying credentials must fail with a message of our own.
export const jsonBody: RequestHandler = (req, res, next) => {
  express.json({ limit: '64kb' })(req, res, (err?: unknown) => {
    if (!err) return next();
    const status = (err as { status?: unknown }).status;
    if ((err as { type?: unknown }).type === 'entity.parse.failed')
      return next(new ValidationError('the request body is not valid JSON', { body: ['is not valid JSON'] }));
    next(
      Object.assign(new Error('request body refused'), { status: typeof status === 'number' ? status : 400 }),
    );
  });
};
