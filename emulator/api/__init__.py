"""The HTTP handlers of the OpenAI surface, one module per endpoint family, and the request path."""
