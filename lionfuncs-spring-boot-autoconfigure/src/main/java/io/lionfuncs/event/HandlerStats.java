package io.lionfuncs.event;

/**
 * What one handler of an {@link EventManager} has done, for an endpoint or meters.
 *
 * @param sent events the handler took
 * @param failed delivery attempts that failed (a {@code false} result or an exception);
 * an event retried three times before it went through counts three failures and one
 * sent
 * @param rejected events the handler declared undeliverable, moved to its dead-letter
 * folder
 * @param queued events waiting for the handler in memory: not written to its spool log
 * yet, or written and also kept in memory to be sent without reading them back
 * @param spooled events waiting for the handler in its spool log only (read back when
 * their turn comes), among them those that failed and wait to be re-sent
 */
public record HandlerStats(long sent, long failed, long rejected, int queued, long spooled) {

}
