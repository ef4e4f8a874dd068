"""Bytes and headers: body reading, multipart, auth, CORS and the wire format."""
