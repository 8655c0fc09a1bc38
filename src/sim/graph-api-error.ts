/** A Graph error response; thrown by handlers and written by the exchange as Graph's error body. */
export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly innerError: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphApiError';
  }

  static notFound(id: string): GraphApiError {
    return new GraphApiError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }

  static badRequest(message: string, code = 'Request_BadRequest'): GraphApiError {
    return new GraphApiError(400, code, message);
  }

  static invalidRequest(message: string): GraphApiError {
    return new GraphApiError(400, 'InvalidRequest', message);
  }
}
