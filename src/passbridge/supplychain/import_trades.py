"""The trade life cycle of an import: requests created, linked, rejected or cancelled, and answers received.

Layout: `LIFE_CYCLE` (the rule a refused transition names), `plan_trade` (a trade row: a new request, or a stored one
changed through `trades.link` / `reject` / `cancel`) and `plan_answer` (an answer row through `trades.answer` /
`revise`, kept as a `ReceivedAnswer` with its digest), each recording into an `import_ledger.ImportLedger`.

Why a module of its own: these are the steps of `importing.plan_import` that follow the Ouranos request life cycle
rather than only resolving references; a second answer to an answered trade is refused unless it is marked as a
revision (answering twice is an Ouranos life-cycle error).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Final

from passbridge.errors import IllegalTradeTransition, InvalidInput, Violation
from passbridge.supplychain.catalog import ReceivedAnswer, TradeEntry
from passbridge.supplychain.commitments import answer_digest
from passbridge.supplychain.import_batch import AnswerDraft, Sourced, TradeDraft
from passbridge.supplychain.import_ledger import ImportLedger
from passbridge.supplychain.trades import Trade, TradeStatus, answer, cancel, link, reject, revise

LIFE_CYCLE: Final = "Ouranos request status life cycle (NOT_COMPLETED → COMPLETED | REJECT | CANCEL)"


def plan_trade(ledger: ImportLedger, sourced: Sourced[TradeDraft]) -> None:
    """Record a trade row: a new request, or a stored one linked, rejected or cancelled as the row says.

    A refusal (an unknown part or operator, another part's request under the same id, a transition the life cycle
    does not allow) is recorded in `ledger`, naming the row's field.
    """
    draft, locator = sourced.item, sourced.locator
    buyer = ledger.known_part(draft.downstream_trace_id, ledger.at(locator, "downstreamTraceId"))
    supplier = ledger.operators.get(draft.upstream_operator_id)
    if supplier is None:
        ledger.fail(ledger.at(locator, "upstreamOperator"), f"unknown operator {draft.upstream_operator_id!r}")
    if buyer is None or supplier is None:
        return
    stored = ledger.trades.get(draft.trade_id)
    try:
        if stored is None:
            trade = Trade(
                draft.trade_id,
                buyer.part.operator,
                draft.downstream_trace_id,
                supplier,
                draft.status,
                draft.upstream_trace_id,
                reply_message=draft.reply_message,
            )
        else:
            trade = _update_trade(stored, draft, locator)
    except IllegalTradeTransition as error:
        ledger.fail(ledger.at(locator, "status"), str(error), LIFE_CYCLE)
        return
    except InvalidInput as error:
        ledger.violations += [Violation(ledger.at(locator, v.path), v.message, v.rule) for v in error.violations]
        return
    if ledger.put("trades", ledger.trades, draft.trade_id, TradeEntry(trade, draft.upstream_operator_id), locator):
        ledger.changed.add(draft.downstream_trace_id)


def _update_trade(stored: TradeEntry, draft: TradeDraft, locator: str) -> Trade:
    trade = stored.trade
    if trade.downstream_trace_id != draft.downstream_trace_id or stored.upstream_operator_id != (
        draft.upstream_operator_id
    ):
        raise InvalidInput.at(
            "tradeId", f"trade {trade.trade_id} is another part's or supplier's request; a new one needs a new id"
        )
    if draft.upstream_trace_id is not None and draft.upstream_trace_id != trade.upstream_trace_id:
        trade = link(trade, draft.upstream_trace_id)
    if draft.status is TradeStatus.REJECT and trade.status is not TradeStatus.REJECT:
        trade = reject(trade, draft.reply_message)
    elif draft.status is TradeStatus.CANCEL and trade.status is not TradeStatus.CANCEL:
        trade = cancel(trade)
    return trade


def plan_answer(ledger: ImportLedger, sourced: Sourced[AnswerDraft], now: datetime) -> None:
    """Record an answer row received at `now`: it answers (or, marked as a revision, revises) its trade.

    An answer the node already holds under the same id is skipped if identical. A refusal (an unknown trade, other
    content under a known answerId, a second answer not marked as a revision) is recorded in `ledger`.
    """
    draft, locator = sourced.item, sourced.locator
    entry = ledger.trades.get(draft.trade_id)
    if entry is None:
        ledger.fail(ledger.at(locator, "tradeId"), f"unknown trade {draft.trade_id}")
        return
    known = ledger.answers.get(draft.answer.answer_id)
    if known is not None:
        if known.answer != draft.answer or known.trade_id != draft.trade_id:
            ledger.fail(
                ledger.at(locator, "answerId"),
                f"answer {draft.answer.answer_id} was received before with other content; "
                "a new answer needs a new answerId",
                "answers are immutable",
            )
        return
    try:
        update = revise if draft.revision else answer
        trade = update(entry.trade, draft.answer)
    except IllegalTradeTransition as error:
        answered = entry.trade.status is TradeStatus.COMPLETED and not draft.revision
        hint = '; a revised answer is marked "revision": true' if answered else ""
        ledger.fail(locator, f"{error}{hint}", LIFE_CYCLE)
        return
    except InvalidInput as error:
        ledger.violations += [Violation(ledger.at(locator, v.path), v.message, v.rule) for v in error.violations]
        return
    ledger.put("trades", ledger.trades, draft.trade_id, replace(entry, trade=trade), None)
    ledger.origin[("answers", draft.trade_id)] = locator
    received = ReceivedAnswer(draft.answer, draft.trade_id, answer_digest(draft.answer), now, draft.document)
    ledger.put("answers", ledger.answers, draft.answer.answer_id, received, locator)
    ledger.changed.add(trade.downstream_trace_id)


__all__ = ["LIFE_CYCLE", "plan_answer", "plan_trade"]
