// Shared by the DNS roles: their control-op errors.

export function unknownOp(role: string, request: Record<string, unknown>, known: string[]): Error {
  return new Error(`unknown control request ${JSON.stringify(request.op)} for role ${role}; known: [status, impair, ${known.join(', ')}]`);
}

export function notStarted(role: string): Error {
  return new Error(`the ${role} DNS service has not started yet`);
}
