"""The HTTP layer: Flask views that parse a request, call one service, pick a renderer."""
