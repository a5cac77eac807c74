"""One publish to the mail workers per request, whatever number of notices it wrote."""

from .services import outbox_batched


class OutboxBatchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with outbox_batched():
            return self.get_response(request)
