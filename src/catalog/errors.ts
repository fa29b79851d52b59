/**
 * Failures the action expects and explains: the message says what went wrong
 * and what to change, so it is reported without a stack trace. Anything that
 * is not an ActionError is a bug and keeps its stack.
 */
export class ActionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** A toolchain that cannot be found, installed or used; the message says why and what to change. */
export class ToolchainError extends ActionError {}
