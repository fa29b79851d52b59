import { ActionError } from '../catalog/errors.js'

/** A checkout the action cannot build: the message names the file and what is wrong with it. */
export class CheckoutError extends ActionError {}
