"""moto's server with SQS SendMessage in constant time: a patched local emulator, for benchmarks.

Started by `make bench ARGS=permits` only, in place of `python -m moto.server` (same arguments).
Tests and `make run` use moto as released.

Why: moto 5.2.5's SendMessage reads `Queue.attributes` to learn whether the queue deduplicates
by content. That property computes every attribute, among them ApproximateNumberOfMessages,
...NotVisible and ...Delayed: three passes over every message already queued, per message sent.
Queuing N messages thus costs O(N^2) (measured with py-spy: the 250th to 300th batch of ten took
31 s against 2.7 s for the first 50), and a reminder run of 100,000 SMS measures moto, not the
run. Real SQS has no such cost.

The patch: while a message is being validated and sent, `Queue.attributes` answers with the one
attribute the send path reads (ContentBasedDeduplication, present on FIFO queues only, as moto
itself reports it). Everywhere else (GetQueueAttributes among them) it is moto's own property.
Messages are stored, received and counted by moto unchanged.
"""

import sys
import threading

from moto.server import main
from moto.sqs.models import Queue, SQSBackend

_full_attributes = Queue.attributes
_sending = threading.local()


def _send_path_attributes(queue: Queue) -> dict:
    if not getattr(_sending, "active", False):
        return _full_attributes.fget(queue)
    if not queue.fifo_queue:
        return {}
    deduplicates = getattr(queue, "content_based_deduplication", False)
    return {"ContentBasedDeduplication": str(deduplicates).lower()}


def _while_sending(method):
    def wrapped(*args, **kwargs):
        outer = getattr(_sending, "active", False)
        _sending.active = True
        try:
            return method(*args, **kwargs)
        finally:
            _sending.active = outer

    return wrapped


Queue.attributes = property(_send_path_attributes)
SQSBackend.send_message = _while_sending(SQSBackend.send_message)
SQSBackend.send_message_batch = _while_sending(SQSBackend.send_message_batch)

if __name__ == "__main__":
    main(sys.argv[1:])
