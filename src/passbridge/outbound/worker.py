"""The DSP outbox worker: sends the follow-up messages the DSP handlers queued, woken by events, not by a timer.

Why an outbox: a DSP handler must acknowledge fast, and a state change must never be lost or half-done. So a handler
stores the new state *and* the message it owes the counterparty in one transaction — leased to its own process —,
answers, and hands the message to this worker (`dispatch`), which sends it at once (no database round trip to find
it). Messages that are due again (retries) or whose lease ran out (their process died) are claimed from the
database with a new lease, so several worker processes on one database never send a message twice at the same
time. A sent message is marked sent (`OutboxSender`); on failure the worker schedules a retry with
exponential back-off (`base_delay` * 2**n, capped at `max_delay`) and after `max_attempts` gives up (the sender's
`give_up` terminates the process locally: the DSP state machines require termination on divergence).

Waking: a `threading.Condition` is notified by every hand-off; between events the thread
sleeps exactly until the earliest scheduled retry (or indefinitely when none is scheduled). Nothing polls at a
fixed interval. Tests call `drain()` instead of starting the thread, which sends everything due now, synchronously.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from passbridge.clock import Clock
from passbridge.dataspace.node import LEASE_SECONDS
from passbridge.dataspace.ports import OutboxMessage, OutboxQueue, OutboxSender

logger = logging.getLogger(__name__)


class OutboxWorker:
    """Sends queued DSP messages: in a background thread (`start`/`stop`) or synchronously (`drain`)."""

    def __init__(
        self,
        queue: OutboxQueue,
        sender: OutboxSender,
        clock: Clock,
        *,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        max_attempts: int = 7,
        batch: int = 20,
    ) -> None:
        self._queue, self._sender, self._clock = queue, sender, clock
        self._base, self._max_delay, self._max_attempts, self._batch = base_delay, max_delay, max_attempts, batch
        self._condition = threading.Condition()
        self._pending = False
        self._handed: deque[OutboxMessage] = deque()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._drain_lock = threading.Lock()

    # -- the Wakeup port ----------------------------------------------------------------------------------------

    def dispatch(self, messages: Sequence[OutboxMessage]) -> None:
        """Messages a committed transaction queued and leased to this process: send them next."""
        with self._condition:
            self._handed.extend(messages)
            self._pending = True
            self._condition.notify()

    def notify(self) -> None:
        """Wake the thread to look for due messages."""
        with self._condition:
            self._pending = True
            self._condition.notify()

    # -- synchronous use ----------------------------------------------------------------------------------------

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt (1, 2, 4, … capped at `max_delay`)."""
        return float(min(self._base * 2 ** max(attempts - 1, 0), self._max_delay))

    def drain(self) -> int:
        """Send the messages handed over, then every message due now (in order); returns how many were sent.
        Failures are rescheduled."""
        sent = 0
        with self._drain_lock:
            while True:
                with self._condition:
                    handed = list(self._handed)
                    self._handed.clear()
                for message in handed:
                    sent += self._send_one(message)
                if handed:
                    continue
                now = self._clock.now()
                due = self._queue.claim_due(now, now + timedelta(seconds=LEASE_SECONDS), self._batch)
                if not due:
                    return sent
                for message in due:
                    sent += self._send_one(message)

    def _send_one(self, message: OutboxMessage) -> int:
        try:
            self._sender.send(message)
        except Exception as exc:  # any failure of one message must not stop the others
            attempts = message.attempts + 1
            reason = f"{type(exc).__name__}: {exc}"[:2000]
            if attempts >= self._max_attempts or not self._sender.retryable(exc):
                logger.warning(
                    "giving up %s to %s after %d attempt(s): %s", message.message_type, message.url, attempts, reason
                )
                self._queue.mark_failed(message.id, attempts, reason)
                self._sender.give_up(message, reason)
            else:
                delay = self.backoff(attempts)
                logger.info(
                    "%s to %s failed (attempt %d), retry in %.1f s: %s",
                    message.message_type,
                    message.url,
                    attempts,
                    delay,
                    reason,
                )
                self._queue.mark_retry(message.id, attempts, self._clock.now() + timedelta(seconds=delay), reason)
            return 0
        self._queue.mark_sent(message.id, self._clock.now())
        return 1

    # -- background thread --------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background thread (idempotent); it sends what is already due first."""
        if self._thread is not None:
            return
        self._stopping = False
        self._pending = True
        self._thread = threading.Thread(target=self._run, name="dsp-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread (a send in progress finishes first)."""
        thread = self._thread
        if thread is None:
            return
        with self._condition:
            self._stopping = True
            self._condition.notify()
        thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending and not self._stopping:
                    if self._condition.wait(self._until_next_retry()):
                        continue
                    break  # the earliest retry is due
                if self._stopping:
                    return
                self._pending = False
            try:
                self.drain()
            except Exception:  # the database may be briefly unavailable: try again on the next event
                logger.exception("DSP outbox worker: drain failed")

    def _until_next_retry(self) -> float | None:
        try:
            due: datetime | None = self._queue.next_due()
        except Exception:
            logger.exception("DSP outbox worker: cannot read the next retry time")
            return self._max_delay
        if due is None:
            return None
        return max((due - self._clock.now()).total_seconds(), 0.0) + 0.001


__all__ = ["OutboxWorker"]
