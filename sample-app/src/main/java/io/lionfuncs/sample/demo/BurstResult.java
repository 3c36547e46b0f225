package io.lionfuncs.sample.demo;

import java.util.Map;

/**
 * What a burst did.
 *
 * @param count calls submitted
 * @param statuses terminal statuses by name
 * @param httpStatus final HTTP status codes by code ({@code none} when no response
 * arrived)
 * @param elapsedMillis time from the first submission to the last terminal status
 */
public record BurstResult(int count, Map<String, Long> statuses, Map<String, Long> httpStatus, long elapsedMillis) {
}
