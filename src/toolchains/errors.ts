/** A toolchain that cannot be installed or used; its message says why and what to change. */
export class ToolchainError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ToolchainError'
  }
}
