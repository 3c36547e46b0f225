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
 * @param queued events waiting in memory for the handler
 * @param spooled events waiting in the spool directory for the handler
 */
public record HandlerStats(long sent, long failed, long rejected, int queued, long spooled) {

}
