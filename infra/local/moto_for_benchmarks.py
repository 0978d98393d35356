"""moto's server with two of its costs that real AWS does not have taken out: for benchmarks.

Started by `make bench ARGS=permits`, `residents` and `cold` only, in place of
`python -m moto.server` (same arguments). Tests and `make run` use moto as released. Messages and
events are stored, matched, delivered, received and counted by moto unchanged.

1. SQS SendMessage in constant time. moto 5.2.5's SendMessage reads `Queue.attributes` to learn
   whether the queue deduplicates by content. That property computes every attribute, among them
   ApproximateNumberOfMessages, ...NotVisible and ...Delayed: three passes over every message
   already queued, per message sent. Queuing N messages thus costs O(N^2) (measured with py-spy:
   the 250th to 300th batch of ten took 31 s against 2.7 s for the first 50), and a reminder run
   of 100,000 SMS measures moto, not the run. The patch: while a message is being validated and
   sent, `Queue.attributes` answers with the one attribute the send path reads
   (ContentBasedDeduplication, present on FIFO queues only, as moto itself reports it).
   Everywhere else (GetQueueAttributes among them) it is moto's own property.

2. EventBridge PutEvents without rebuilding a parser per target. For every event and every
   matching target (each consumer's queue, the archive), moto 5.2.5 renders the target's input
   through `EventTemplateParser.parse`, which compiles each of its eight default JSONPath
   expressions with `jsonpath_ng.ext.parse`, and that builds a new PLY parser every call
   (measured with cProfile, moto in-process, 3 consumer rules and an archive: 98 ms per call of
   10 entries, 80 % of it building parsers; 14 ms with the patch). The patch memoizes
   `jsonpath_ng.ext.parse` (a pure function of the expression's text; the parsed expressions
   are only read by `find`).
"""

import functools
import sys
import threading

import jsonpath_ng.ext

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

# moto's `EventTemplateParser.parse` imports `parse` from the module at each call.
jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)

if __name__ == "__main__":
    main(sys.argv[1:])
